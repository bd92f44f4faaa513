import { makeStyles } from '@material-ui/core';

const useStyles = makeStyles({
  svg: { width: 'auto', height: 28 },
});

/** opsdeck's mark: a stack of three server decks. */
export const LogoIcon = () => {
  const classes = useStyles();
  return (
    <svg
      className={classes.svg}
      xmlns="http://www.w3.org/2000/svg"
      viewBox="0 0 32 32"
      aria-hidden="true"
    >
      <rect x="3" y="4" width="26" height="7" rx="2" fill="#4fd1c5" />
      <rect x="3" y="13" width="26" height="7" rx="2" fill="#38b2ac" />
      <rect x="3" y="22" width="26" height="7" rx="2" fill="#2c7a7b" />
      <circle cx="8" cy="7.5" r="1.5" fill="#0b1f2a" />
      <circle cx="8" cy="16.5" r="1.5" fill="#0b1f2a" />
      <circle cx="8" cy="25.5" r="1.5" fill="#0b1f2a" />
    </svg>
  );
};
