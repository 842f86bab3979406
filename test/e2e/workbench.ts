import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { FrameLocator, Page } from 'playwright-core';

export const ARTIFACTS = join(__dirname, 'artifacts');

/** Driving the VS Code workbench the way a person does: palette, inputs, panels. */
export class Workbench {
  private shot = 0;

  constructor(readonly page: Page) {
    mkdirSync(ARTIFACTS, { recursive: true });
    // A run's screenshots are its own: drop the numbered ones an earlier run left.
    for (const f of readdirSync(ARTIFACTS)) if (/^\d{2}-.*\.png$/.test(f)) rmSync(`${ARTIFACTS}/${f}`);
  }

  async waitReady(): Promise<void> {
    await this.page.waitForSelector('.monaco-workbench', { timeout: 90_000 });
    await this.page.waitForSelector('.statusbar', { timeout: 60_000 });
  }

  /** F1, the command's title, Enter. */
  async command(title: string): Promise<void> {
    await this.page.keyboard.press('Escape');
    await this.page.keyboard.press('F1');
    const input = this.page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await input.fill(`>${title}`);
    await this.page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor({ timeout: 20_000 });
    await this.page.keyboard.press('Enter');
  }

  /** Types into the quick input an extension opened (an input box or a password box). */
  async answerInput(value: string): Promise<void> {
    const input = this.page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await input.fill(value);
    await this.page.keyboard.press('Enter');
    await this.page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
  }

  async problems(): Promise<{ text: string; rows: { text: string; severity: string }[] }> {
    const panel = this.page.locator('.markers-panel');
    if (!(await panel.isVisible())) await this.page.keyboard.press('Control+Shift+M');
    await panel.waitFor({ state: 'visible' });
    const rows = await this.page.locator('.markers-panel .monaco-list-row').evaluateAll((els) =>
      els.map((el) => ({
        text: (el as HTMLElement).innerText.replace(/\s+/g, ' ').trim(),
        severity: el.querySelector('.codicon-error')
          ? 'error'
          : el.querySelector('.codicon-warning')
            ? 'warning'
            : el.querySelector('.codicon-info')
              ? 'info'
              : 'other',
      })),
    );
    return { text: await panel.innerText(), rows };
  }

  /** The risk panel's document, two iframes down. */
  riskPanel(): FrameLocator {
    return this.page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
  }

  /** VS Code shows only a few toasts at once: a step starts with none left from the last one. */
  async clearNotifications(): Promise<void> {
    await this.command('Notifications: Clear All Notifications');
    await this.page
      .locator('.notification-toast')
      .first()
      .waitFor({ state: 'detached', timeout: 5000 })
      .catch(() => undefined);
  }

  /**
   * A notification's text: as a toast, or, when VS Code keeps it out of sight (toasts just cleared
   * or hidden), in the notification centre.
   */
  async notification(text: RegExp, timeout = 60_000): Promise<string> {
    const toast = this.page.locator('.notification-toast', { hasText: text }).first();
    const inCenter = this.page.locator('.notifications-center .monaco-list-row', { hasText: text }).first();
    const deadline = Date.now() + timeout;
    while (Date.now() < deadline) {
      if (await toast.isVisible().catch(() => false)) return (await toast.innerText()).replace(/\s+/g, ' ');
      if (Date.now() > deadline - timeout + 10_000) {
        await this.command('Notifications: Show Notifications');
        if (
          await inCenter.waitFor({ timeout: 3000 }).then(
            () => true,
            () => false,
          )
        ) {
          const found = (await inCenter.innerText()).replace(/\s+/g, ' ');
          await this.page.keyboard.press('Escape');
          return found;
        }
        await this.page.keyboard.press('Escape');
      }
      await this.page.waitForTimeout(300);
    }
    await this.screenshot('missing-notification');
    throw new Error(`no notification matching ${text}`);
  }

  async screenshot(name: string): Promise<string> {
    const path = join(ARTIFACTS, `${String(++this.shot).padStart(2, '0')}-${name}.png`);
    await this.page.screenshot({ path });
    return path;
  }
}

export async function until<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await probe();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}
