import { isApprovalRequired } from './types';

describe('isApprovalRequired', () => {
  it('reads the 403 approvalRequired body, bare or on an error', () => {
    const body = {
      error: { name: 'ApprovalRequiredError', message: 'needs approval' },
      response: { statusCode: 403 },
      approvalRequired: true,
    };
    expect(isApprovalRequired(body)).toBe(true);
    expect(isApprovalRequired(Object.assign(new Error('x'), { body }))).toBe(
      true,
    );
  });

  it('is false for any other refusal or value', () => {
    expect(
      isApprovalRequired({
        error: { name: 'NotAllowedError', message: 'no' },
        response: { statusCode: 403 },
      }),
    ).toBe(false);
    expect(isApprovalRequired({ approvalRequired: 'true' })).toBe(false);
    expect(isApprovalRequired({ body: { approvalRequired: 1 } })).toBe(false);
    expect(isApprovalRequired(undefined)).toBe(false);
    expect(isApprovalRequired('approvalRequired')).toBe(false);
  });
});
