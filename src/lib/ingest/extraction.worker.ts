// The extraction module Worker: pdf.js (normal build) runs here, in this thread, so the page never parses
// a PDF. Everything it does is the shared core; this file only wires the browser platform to the protocol.
import { createExtractor } from './extract.ts';
import { browserPdfPlatform } from './pdf-platform.browser.ts';
import { serveExtraction, type Port, type RequestMessage, type ResponseMessage } from './protocol.ts';

// A DedicatedWorkerGlobalScope is the port; the DOM typings the app compiles with call `self` a Window.
const scope: Port<RequestMessage, ResponseMessage> = self as unknown as Port<RequestMessage, ResponseMessage>;
serveExtraction(scope, createExtractor(browserPdfPlatform()));
