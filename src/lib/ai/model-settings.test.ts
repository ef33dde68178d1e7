import { describe, expect, it } from 'vitest';
import { freshDatabase } from '../testing/db.ts';
import { MODEL_SETTING_KEYS, chooseModel, readModelSettings, saveBaseUrl } from './model-settings.ts';

describe('model settings', () => {
	it('persists the chosen models and base URL', async () => {
		const db = await freshDatabase();
		expect(await readModelSettings(db)).toEqual({});
		await chooseModel(db, 'chat', 'Qwen2.5-0.5B-Instruct-q4f32_1-MLC');
		await chooseModel(db, 'embedding', 'snowflake-arctic-embed-s-q0f32-MLC-b4');
		expect(await saveBaseUrl(db, '/models', 'http://127.0.0.1:8080/settings')).toBe('http://127.0.0.1:8080/models/');
		expect(await readModelSettings(db)).toEqual({
			chatModelId: 'Qwen2.5-0.5B-Instruct-q4f32_1-MLC',
			embeddingModelId: 'snowflake-arctic-embed-s-q0f32-MLC-b4',
			baseUrl: 'http://127.0.0.1:8080/models/'
		});
		expect(await saveBaseUrl(db, '  ')).toBe('');
		expect((await readModelSettings(db)).baseUrl).toBeUndefined();
	});

	it('refuses a model of the wrong kind and a bad URL', async () => {
		const db = await freshDatabase();
		await expect(chooseModel(db, 'chat', 'snowflake-arctic-embed-s-q0f32-MLC-b4')).rejects.toThrow(/not a chat model/);
		await expect(saveBaseUrl(db, 'ftp://x')).rejects.toMatchObject({ code: 'invalid-input' });
	});

	it('forgets a stored model the registry no longer has', async () => {
		const db = await freshDatabase();
		await db.settings.put({ key: MODEL_SETTING_KEYS.chat, value: 'Retired-Model-MLC' });
		expect(await readModelSettings(db)).toEqual({});
	});
});
