import { CREDENTIAL_USES } from '@opsdeck/plugin-vault-node';
import { spec } from './openapi.generated';

// A use added to vault-node but not to the API's enum is refused by the
// request validator (400) when an admin allows it on a credential.
describe('the API names every credential use', () => {
  it('has the CredentialUse enum of vault-node', () => {
    expect((spec as any).components.schemas.CredentialUse.enum).toEqual([
      ...CREDENTIAL_USES,
    ]);
  });
});
