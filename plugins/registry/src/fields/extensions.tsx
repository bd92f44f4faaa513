import {
  createFormField,
  FormFieldBlueprint,
} from '@backstage/plugin-scaffolder-react/alpha';

/**
 * The registry's scaffolder form field (new frontend system): it attaches to
 * the scaffolder's form-fields API, so any template can use
 * `ui:field: OpsdeckRegistryImagePicker` for an image `host/repository:tag`.
 */
export const registryImagePickerFormField = FormFieldBlueprint.make({
  name: 'registry-image-picker',
  params: {
    field: () =>
      import('./RegistryImagePicker').then(m =>
        createFormField({
          name: 'OpsdeckRegistryImagePicker',
          component: m.RegistryImagePicker,
        }),
      ),
  },
});
