import { expect, type Locator, type Page } from '@playwright/test';

/** Page objects find controls the way a person does: by role and accessible name. */

export class Shell {
	constructor(readonly page: Page) {}

	get connection(): Locator {
		return this.page.getByRole('status', { name: 'Connection' });
	}

	async gotoCases() {
		await this.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Cases' }).click();
	}

	async gotoSettings() {
		await this.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
	}

	/** Resolves once a service worker controls the page, i.e. the app shell is precached. */
	async waitForServiceWorker() {
		await this.page.waitForFunction(async () => {
			const registration = await navigator.serviceWorker.ready;
			return registration.active?.state === 'activated' && navigator.serviceWorker.controller !== null;
		});
	}
}

export class Library extends Shell {
	async open() {
		await this.page.goto('/');
		await expect(this.page.getByRole('heading', { name: 'Cases', level: 1 })).toBeVisible();
		await expect(this.page.getByRole('button', { name: 'New case' })).toBeEnabled();
	}

	caseLink(title: string): Locator {
		return this.page.getByRole('list', { name: 'Cases' }).getByRole('link', { name: title, exact: true });
	}

	async createCase(title: string) {
		await this.page.getByRole('button', { name: 'New case' }).click();
		const dialog = this.page.getByRole('dialog', { name: 'New case' });
		await dialog.getByRole('textbox', { name: 'Case name' }).fill(title);
		await dialog.getByRole('button', { name: 'Create' }).click();
		await expect(this.page.getByRole('heading', { name: title, level: 1 })).toBeVisible();
	}
}

export class CasePage extends Shell {
	tab(name: string): Locator {
		return this.page.getByRole('tab', { name });
	}

	async rename(title: string) {
		await this.page.getByRole('button', { name: 'Rename case' }).click();
		const dialog = this.page.getByRole('dialog', { name: 'Rename case' });
		await dialog.getByRole('textbox', { name: 'Case name' }).fill(title);
		await dialog.getByRole('button', { name: 'Save' }).click();
		await expect(this.page.getByRole('heading', { name: title, level: 1 })).toBeVisible();
	}

	async delete() {
		await this.page.getByRole('button', { name: 'Delete case' }).click();
		await this.page.getByRole('dialog', { name: 'Delete case' }).getByRole('button', { name: 'Delete' }).click();
	}
}
