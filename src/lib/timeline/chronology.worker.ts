/// <reference lib="webworker" />
// The chronology worker: dates and near-duplicate signatures are derived here, off the main thread, from
// the change feed, so every write from any tab, worker or teammate reaches the stored chronology.
import { changeFeed } from '../db/change-feed.ts';
import { DocketDatabase } from '../db/database.ts';
import { scopeEndpoint, serve } from '../worker/transport.ts';
import { createChronologyHandlers } from './chronology-handlers.ts';
import { ChronologyStore, subscribeChronology } from './chronology-store.ts';
import { chronologyProtocol } from './protocol.ts';

declare const self: DedicatedWorkerGlobalScope;

const db = new DocketDatabase();
const store = new ChronologyStore(db, { language: self.navigator.language });
subscribeChronology(store, changeFeed(db));
serve(chronologyProtocol, scopeEndpoint(self), createChronologyHandlers(db, store));
