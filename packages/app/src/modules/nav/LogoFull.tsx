import { makeStyles } from '@material-ui/core';
import { LogoIcon } from './LogoIcon';

const useStyles = makeStyles({
  root: { display: 'flex', alignItems: 'center', gap: 8 },
  name: {
    color: '#e6fffa',
    fontSize: 24,
    fontWeight: 700,
    letterSpacing: 0.5,
    fontFamily: 'Helvetica, Arial, sans-serif',
  },
});

/** The mark and the name, shown when the sidebar is open. */
export const LogoFull = () => {
  const classes = useStyles();
  return (
    <div className={classes.root}>
      <LogoIcon />
      <span className={classes.name}>opsdeck</span>
    </div>
  );
};
