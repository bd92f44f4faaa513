import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { setDisplayLanguage } from '@opsdeck/plugin-opsdeck-common';
import { screen } from '@testing-library/react';
import { ErrorAlert } from './common';

/** A 400 from the SQL backend as the client throws it (ResponseError). */
function refusal(): Error {
  const message =
    'Refused by server-files-and-programs: pg_read_file() can read, list or write files on the database server';
  return Object.assign(new Error(`Request failed with 400 Bad Request`), {
    name: 'ResponseError',
    statusCode: 400,
    body: {
      error: { name: 'InputError', message },
      response: { statusCode: 400 },
    },
  });
}

async function renderIn(language: string) {
  setDisplayLanguage(language);
  await renderInTestApp(<ErrorAlert error={refusal()} />, {
    apis: [
      mockApis.appLanguage({
        defaultLanguage: language,
        availableLanguages: ['en', 'zh-CN'],
      }),
    ],
  } as any);
}

afterEach(() => setDisplayLanguage(undefined));

describe('ErrorAlert', () => {
  // regression: a 400 without a code is said by its status in zh-CN
  // ("输入有误：…"), and the rule that refused was no longer found in it
  it('names the rule that refused a statement in zh-CN', async () => {
    await renderIn('zh-CN');
    expect(
      await screen.findByText(/^已被规则 server-files-and-programs 拒绝：/),
    ).toBeInTheDocument();
    expect(screen.getByText(/pg_read_file\(\) can read/)).toBeInTheDocument();
  });

  it('names the rule that refused a statement in English', async () => {
    await renderIn('en');
    expect(
      await screen.findByText(/server-files-and-programs/),
    ).toBeInTheDocument();
  });
});
