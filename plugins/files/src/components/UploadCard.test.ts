import { confirmedFileId } from './UploadCard';

describe('confirmedFileId', () => {
  const url =
    'http://localhost/api/files/uploads/0123456789abcdef0123456789abcdef';

  it('takes the id from tus’ last answer without asking again', async () => {
    const client = { uploadedFileId: jest.fn() };
    expect(await confirmedFileId(client, url, 'file-1')).toBe('file-1');
    expect(client.uploadedFileId).not.toHaveBeenCalled();
  });

  it('asks the server (a HEAD that finishes the upload) when tus’ answer has no id', async () => {
    const client = { uploadedFileId: jest.fn(async () => 'file-2') };
    expect(await confirmedFileId(client, url, undefined)).toBe('file-2');
    expect(client.uploadedFileId).toHaveBeenCalledWith(url);
  });

  it('reports no id, never success, when the server names none or fails', async () => {
    expect(
      await confirmedFileId(
        { uploadedFileId: async () => undefined },
        url,
        undefined,
      ),
    ).toBeUndefined();
    expect(
      await confirmedFileId(
        {
          uploadedFileId: async () => {
            throw new Error('500');
          },
        },
        url,
        undefined,
      ),
    ).toBeUndefined();
    expect(
      await confirmedFileId({ uploadedFileId: jest.fn() }, null, undefined),
    ).toBeUndefined();
  });
});
