// The extraction module Worker: pdf.js (normal build) runs here, in this thread, so the page never parses
// a PDF; chunks and pages are written to IndexedDB from here too, so the page never serialises them.
/// <reference lib="webworker" />
import { DocketDatabase } from '../db/database.ts';
import { IndexedDbFileStore, OpfsFileStore } from '../db/file-store.ts';
import { decodeImageBrowser, renderPageBrowser } from '../ocr/render.browser.ts';
import { ScanReader } from '../ocr/scan-reader.ts';
import { browserOcrPool } from '../ocr/tesseract.browser.ts';
import { scopeEndpoint } from '../worker/transport.ts';
import { createExtractor } from './extract.ts';
import { browserPdfPlatform } from './pdf-platform.browser.ts';
import { serveExtraction } from './protocol.ts';

declare const self: DedicatedWorkerGlobalScope;

const databases = new Map<string, DocketDatabase>();
// Dexie opens on first use and tells the page's live queries about every write (BroadcastChannel).
const database = (name: string): DocketDatabase => {
	let db = databases.get(name);
	if (!db) databases.set(name, (db = new DocketDatabase(name)));
	return db;
};
// OCR engines start only when a scan comes, and stay warm for the next one.
const scans = new ScanReader(browserOcrPool, renderPageBrowser, decodeImageBrowser);
// Attachments found in a message are stored here, in the same kind of store the page keeps originals in.
serveExtraction(scopeEndpoint(self), createExtractor(browserPdfPlatform()), database, scans, async (db, kind) =>
	kind === 'idb' ? new IndexedDbFileStore(db) : ((await OpfsFileStore.open()) ?? new IndexedDbFileStore(db))
);
