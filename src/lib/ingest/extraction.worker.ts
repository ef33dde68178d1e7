// The extraction module Worker: pdf.js (normal build) runs here, in this thread, so the page never parses
// a PDF; chunks and pages are written to IndexedDB from here too, so the page never serialises them.
// Everything it does is the shared core; this file only wires the browser platform to the protocol.
import { DocketDatabase } from '../db/database.ts';
import { createExtractor } from './extract.ts';
import { browserPdfPlatform } from './pdf-platform.browser.ts';
import { serveExtraction, type Port, type RequestMessage, type ResponseMessage } from './protocol.ts';

// A DedicatedWorkerGlobalScope is the port; the DOM typings the app compiles with call `self` a Window.
const scope: Port<RequestMessage, ResponseMessage> = self as unknown as Port<RequestMessage, ResponseMessage>;
const databases = new Map<string, DocketDatabase>();
// Dexie opens on first use and tells the page's live queries about every write (BroadcastChannel).
const database = (name: string): DocketDatabase => {
	let db = databases.get(name);
	if (!db) databases.set(name, (db = new DocketDatabase(name)));
	return db;
};
serveExtraction(scope, createExtractor(browserPdfPlatform()), database);
