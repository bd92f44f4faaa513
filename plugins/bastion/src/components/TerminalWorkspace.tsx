import { Box, IconButton, Tab, Tabs, Typography } from '@material-ui/core';
import CloseIcon from '@material-ui/icons/Close';
import { useT } from './common';
import { HostTerminal } from './HostTerminal';

/** One terminal tab: its own host terminal and so its own bastion session. */
export type TerminalTab = { id: number; host: string };

/**
 * Several live terminals as tabs. Every tab stays mounted (its session stays open) while
 * another is in front; closing a tab unmounts its terminal, which ends its session.
 */
export function TerminalWorkspace(props: {
  tabs: TerminalTab[];
  active?: number;
  onSelect(id: number): void;
  onClose(id: number): void;
}) {
  const t = useT();
  const { tabs, active } = props;
  if (tabs.length === 0) {
    return (
      <Typography
        variant="body2"
        color="textSecondary"
        data-testid="terminal-workspace-empty"
      >
        {t('workspace.empty')}
      </Typography>
    );
  }
  return (
    <Box data-testid="terminal-workspace">
      <Tabs
        value={active ?? false}
        onChange={(_e, id) => props.onSelect(id)}
        indicatorColor="primary"
        variant="scrollable"
        scrollButtons="auto"
        aria-label={t('workspace.tabs')}
      >
        {tabs.map(tab => (
          <Tab
            key={tab.id}
            value={tab.id}
            component="div"
            id={`terminal-tab-${tab.id}`}
            aria-controls={`terminal-panel-${tab.id}`}
            label={
              <Box display="flex" alignItems="center" style={{ gap: 4 }}>
                <span>{tab.host}</span>
                <IconButton
                  size="small"
                  aria-label={t('workspace.close', { host: tab.host })}
                  onClick={e => {
                    e.stopPropagation();
                    props.onClose(tab.id);
                  }}
                >
                  <CloseIcon fontSize="small" />
                </IconButton>
              </Box>
            }
          />
        ))}
      </Tabs>
      {tabs.map(tab => (
        <div
          key={tab.id}
          role="tabpanel"
          id={`terminal-panel-${tab.id}`}
          aria-labelledby={`terminal-tab-${tab.id}`}
          hidden={tab.id !== active}
          style={{ paddingTop: 8 }}
        >
          <HostTerminal
            host={tab.host}
            active={tab.id === active}
            height="60vh"
          />
        </div>
      ))}
    </Box>
  );
}
