import { expect, test } from '@playwright/test';

test('the app page loads and says what it is', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'Notes' })).toBeVisible();
  await expect(page.getByRole('status', { name: 'Sync status' })).toBeVisible();
});
