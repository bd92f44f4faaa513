import {
  Box,
  List,
  ListItem,
  ListItemText,
  Typography,
} from '@material-ui/core';
import type { CommandRecord, Session } from '../api/BastionClient';
import { formatDuration, formatTime, shortUserRef, useT } from './common';

/** Seconds from the session's start to a command (the recording starts with the session). */
export function commandOffset(session: Session, command: CommandRecord) {
  const at =
    new Date(command.at).getTime() - new Date(session.startedAt).getTime();
  return Number.isFinite(at) ? Math.max(0, at / 1000) : 0;
}

/** Who, where and when: user, host and login, start, end and duration. */
export function SessionFacts(props: { session: Session }) {
  const t = useT();
  const { session } = props;
  const end = session.endedAt ? new Date(session.endedAt).getTime() : undefined;
  const seconds = end
    ? Math.max(
        0,
        Math.round((end - new Date(session.startedAt).getTime()) / 1000),
      )
    : undefined;
  const facts: [string, string, string][] = [
    ['user', t('replay.user'), shortUserRef(session.userRef) ?? ''],
    ['host', t('replay.host'), `${session.host} (${session.loginUser})`],
    ['start', t('replay.start'), formatTime(session.startedAt)],
    [
      'end',
      t('replay.end'),
      session.endedAt ? formatTime(session.endedAt) : t('replay.stillOpen'),
    ],
    [
      'duration',
      t('replay.duration'),
      seconds === undefined ? '' : formatDuration(t, seconds),
    ],
  ];
  return (
    <Box
      display="flex"
      flexWrap="wrap"
      style={{ gap: 24 }}
      mb={2}
      data-testid="replay-facts"
    >
      {facts.map(([key, label, value]) => (
        <Box key={key} data-testid={`replay-${key}`}>
          <Typography variant="caption" color="textSecondary">
            {label}
          </Typography>
          <Typography variant="body1">{value}</Typography>
        </Box>
      ))}
    </Box>
  );
}

/** The typed commands beside the player; a click seeks the replay to that command. */
export function CommandTimeline(props: {
  session: Session;
  commands: CommandRecord[];
  onSeek: (seconds: number) => void;
}) {
  const t = useT();
  const { session, commands } = props;
  return (
    <Box data-testid="replay-commands">
      <Typography variant="h6" component="h2">
        {t('replay.commands')}
      </Typography>
      {commands.length === 0 ? (
        <Typography variant="body2" color="textSecondary">
          {t('replay.noCommands')}
        </Typography>
      ) : (
        <List dense style={{ maxHeight: 480, overflowY: 'auto' }}>
          {commands.map(command => {
            const offset = commandOffset(session, command);
            return (
              <ListItem
                key={command.id}
                button
                onClick={() => props.onSeek(offset)}
                aria-label={t('replay.jump', { command: command.command })}
              >
                <ListItemText
                  primary={<code>{command.command}</code>}
                  secondary={`${offset.toFixed(1)} s · ${formatTime(
                    command.at,
                  )} · ${command.action}`}
                />
              </ListItem>
            );
          })}
        </List>
      )}
    </Box>
  );
}
