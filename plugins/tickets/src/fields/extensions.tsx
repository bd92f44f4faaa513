import {
  createFormField,
  FormFieldBlueprint,
} from '@backstage/plugin-scaffolder-react/alpha';

/**
 * The tickets' scaffolder form fields (new frontend system): they attach to
 * the scaffolder's form-fields API, so any template can use
 * `ui:field: OpsdeckHostPicker` or `ui:field: OpsdeckDatabasePicker`.
 */
export const hostPickerFormField = FormFieldBlueprint.make({
  name: 'host-picker',
  params: {
    field: () =>
      import('./HostPicker').then(m =>
        createFormField({
          name: 'OpsdeckHostPicker',
          // "at least one" is the template's `minItems`, checked by the form
          // and again by the actions on the server.
          component: m.HostPicker,
        }),
      ),
  },
});

export const databasePickerFormField = FormFieldBlueprint.make({
  name: 'database-picker',
  params: {
    field: () =>
      import('./DatabasePicker').then(m =>
        createFormField({
          name: 'OpsdeckDatabasePicker',
          component: m.DatabasePicker,
        }),
      ),
  },
});
