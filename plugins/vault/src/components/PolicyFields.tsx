import { useTranslationRef } from '@backstage/frontend-plugin-api';
import {
  Box,
  Checkbox,
  FormControl,
  FormControlLabel,
  FormGroup,
  FormHelperText,
  FormLabel,
  TextField,
} from '@material-ui/core';
import Autocomplete from '@material-ui/lab/Autocomplete';
import {
  CREDENTIAL_USES,
  type CredentialPolicy,
  type CredentialType,
  type CredentialUse,
} from '../api';
import { vaultTranslationRef } from '../translation/translation';
import type { EntityChoice, useCatalogChoices } from './useCatalogChoices';

/**
 * A policy being edited: the owner may still be empty; systems and
 * environments are always lists (empty: any).
 */
export type PolicyDraft = Required<CredentialPolicy>;

export const emptyPolicy: PolicyDraft = {
  owner: '',
  allowedUses: [],
  allowedSystems: [],
  allowedEnvironments: [],
};

/** The uses a credential of `type` can serve (an SSH key only logs in). */
export function usableFor(type: CredentialType): CredentialUse[] {
  return type === 'ssh-key' ? ['ssh-login'] : CREDENTIAL_USES;
}

/** Choices plus the refs already chosen that the catalog does not list. */
function withChosen(choices: EntityChoice[], chosen: string[]): EntityChoice[] {
  const known = new Set(choices.map(c => c.ref));
  return [
    ...choices,
    ...chosen.filter(r => r && !known.has(r)).map(ref => ({ ref, title: ref })),
  ];
}

/**
 * Owner group, allowed uses, systems and environments of a credential:
 * groups and systems are picked from the catalog, never typed.
 */
export function PolicyFields(props: {
  type: CredentialType;
  value: PolicyDraft;
  onChange(value: PolicyDraft): void;
  catalog: ReturnType<typeof useCatalogChoices>;
}) {
  const { t } = useTranslationRef(vaultTranslationRef);
  const { type, value, onChange, catalog } = props;
  const groups = withChosen(catalog.groups, [value.owner]);
  const systems = withChosen(catalog.systems, value.allowedSystems);
  const usable = usableFor(type);
  const toggle = (use: CredentialUse, on: boolean) =>
    onChange({
      ...value,
      allowedUses: CREDENTIAL_USES.filter(u =>
        u === use ? on : value.allowedUses.includes(u),
      ),
    });

  return (
    <Box mt={1}>
      <Autocomplete
        id="vault-owner"
        options={groups}
        loading={catalog.loading}
        value={groups.find(g => g.ref === value.owner) ?? null}
        getOptionLabel={g => g.title}
        getOptionSelected={(a, b) => a.ref === b.ref}
        renderOption={g => (
          <span>
            {g.title} <small style={{ opacity: 0.7 }}>{g.ref}</small>
          </span>
        )}
        onChange={(_e, g) => onChange({ ...value, owner: g?.ref ?? '' })}
        renderInput={params => (
          <TextField
            {...params}
            label={t('form.owner')}
            helperText={t('form.ownerHelp')}
            required
            margin="dense"
            variant="outlined"
          />
        )}
      />
      <FormControl component="fieldset" margin="dense" required>
        <FormLabel component="legend">{t('form.uses')}</FormLabel>
        <FormGroup row>
          {CREDENTIAL_USES.map(use => (
            <FormControlLabel
              key={use}
              control={
                <Checkbox
                  checked={value.allowedUses.includes(use)}
                  disabled={!usable.includes(use)}
                  onChange={e => toggle(use, e.target.checked)}
                  name={use}
                />
              }
              label={t(`use.${use}`)}
            />
          ))}
        </FormGroup>
        <FormHelperText>
          {type === 'ssh-key' ? t('form.usesHelpKey') : t('form.usesHelp')}
        </FormHelperText>
      </FormControl>
      <Autocomplete
        id="vault-systems"
        multiple
        options={systems}
        loading={catalog.loading}
        value={systems.filter(s => value.allowedSystems.includes(s.ref))}
        getOptionLabel={s => s.title}
        getOptionSelected={(a, b) => a.ref === b.ref}
        onChange={(_e, chosen) =>
          onChange({ ...value, allowedSystems: chosen.map(s => s.ref) })
        }
        renderInput={params => (
          <TextField
            {...params}
            label={t('form.systems')}
            helperText={t('form.systemsHelp')}
            margin="dense"
            variant="outlined"
          />
        )}
      />
      <Autocomplete
        id="vault-environments"
        multiple
        options={[
          ...new Set([...catalog.environments, ...value.allowedEnvironments]),
        ]}
        loading={catalog.loading}
        value={value.allowedEnvironments}
        onChange={(_e, chosen) =>
          onChange({ ...value, allowedEnvironments: chosen })
        }
        renderInput={params => (
          <TextField
            {...params}
            label={t('form.environments')}
            helperText={t('form.environmentsHelp')}
            margin="dense"
            variant="outlined"
          />
        )}
      />
    </Box>
  );
}
