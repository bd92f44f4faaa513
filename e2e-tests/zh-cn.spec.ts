import { expect, test } from '@playwright/test';
import { signIn } from './helpers';

// zh-CN: the language is named 简体中文, and dates follow the chosen language.
// The whole-portal check for English interface strings is zh-cn-sweep.spec.ts.

test('dates on opsdeck pages follow the chosen language', async ({ page }) => {
  await signIn(page, 'alice');
  await page.goto('/audit');
  // en: US dates with AM/PM (the sign-in above is the newest event)
  await expect(
    page.getByText(/\d+\/\d+\/\d{4}, .*[AP]M/).first(),
  ).toBeVisible();
  await page.goto('/settings');
  await page.getByRole('button', { name: 'English' }).click();
  // the language is listed by its own name, not as 中文（中国）
  await expect(page.getByRole('option', { name: /中国/ })).toHaveCount(0);
  await page.getByRole('option', { name: '简体中文' }).click();
  await expect(page.getByRole('button', { name: '简体中文' })).toBeVisible();
  await page.goto('/audit');
  await expect(
    page.getByText(/\d{4}\/\d{1,2}\/\d{1,2} \d{1,2}:\d{2}:\d{2}/).first(),
  ).toBeVisible();
  await expect(page.getByText(/\d+\/\d+\/\d{4}, .*[AP]M/)).toHaveCount(0);
  await page.goto('/settings');
  await page.getByRole('button', { name: '简体中文' }).click();
  await page.getByRole('option', { name: 'English' }).click();
});
