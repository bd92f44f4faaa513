import { ResponseError } from '@backstage/errors';
import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { screen } from '@testing-library/react';
import { ReportErrorAlert } from './ReportErrorAlert';

/** The error the generated client throws for the backend's answer. */
function answer(status: number, error: Record<string, unknown>) {
  return ResponseError.fromResponse(
    new Response(
      JSON.stringify({
        error: { name: 'InputError', ...error },
        response: { statusCode: status },
      }),
      { status, headers: { 'Content-Type': 'application/json' } },
    ),
  );
}

async function shown(error: Error, language: 'en' | 'zh-CN') {
  const { unmount } = await renderInTestApp(
    <ReportErrorAlert error={error} />,
    {
      apis: [
        mockApis.appLanguage({
          defaultLanguage: language,
          availableLanguages: ['en', 'zh-CN'],
        }),
      ],
    },
  );
  const text = (await screen.findByRole('alert')).textContent;
  unmount();
  return text;
}

describe('ReportErrorAlert', () => {
  it("says the backend's coded week and page refusals in the reader's language", async () => {
    // as plugins/report-backend answers them (router.test.ts)
    const cases = [
      [
        {
          code: 'report-week-not-monday',
          weekStart: '2026-02-24',
          message: '2026-02-24 is not a Monday',
        },
        '2026-02-24 is not a Monday: a week is named by its Monday.',
        '2026-02-24 不是周一：周以其周一表示。',
      ],
      [
        {
          code: 'report-week-invalid',
          weekStart: '2026-13-45',
          message: "'2026-13-45' is not a date",
        },
        '"2026-13-45" is not a date: a week is named by its Monday as YYYY-MM-DD.',
        '“2026-13-45”不是有效日期：周以其周一表示，格式为 YYYY-MM-DD。',
      ],
      [
        {
          code: 'report-page-size-invalid',
          max: 200,
          message: "Invalid 'limit' 201",
        },
        'A page holds 1 to 200 rows.',
        '每页可显示 1 到 200 行。',
      ],
    ] as const;
    for (const [error, en, zh] of cases) {
      expect(await shown(await answer(400, error), 'en')).toBe(en);
      expect(await shown(await answer(400, error), 'zh-CN')).toBe(zh);
    }
    const notEnded = {
      name: 'ConflictError',
      code: 'report-week-not-ended',
      weekStart: '2026-12-07',
      message: 'The week of 2026-12-07 has not ended yet',
    };
    expect(await shown(await answer(409, notEnded), 'zh-CN')).toBe(
      '2026-12-07 这一周尚未结束：周报在该周结束后生成。',
    );
  });

  it('says a missing permission by its status and anything else with the words of the error', async () => {
    expect(
      await shown(
        await answer(403, {
          name: 'NotAllowedError',
          message: 'no',
          code: 'not-allowed',
        }),
        'en',
      ),
    ).toBe('You do not have permission to read weekly reports');
    expect(await shown(new Error('offline'), 'en')).toBe(
      'Could not load the weekly report: offline',
    );
  });
});
