import { registerSW } from 'virtual:pwa-register';

/**
 * The service worker's lifecycle as state: workbox-window (inside `registerSW`) tells us when a new
 * version is installed and waiting, and `update()` activates it and reloads.
 */
export class PwaUpdate {
	/** A new version is installed and waits for the user's go-ahead. */
	needRefresh = $state(false);
	/** The app shell is cached: Docket will open without a network. */
	offlineReady = $state(false);
	registrationError = $state<string | undefined>(undefined);
	#update: ((reload?: boolean) => Promise<void>) | undefined;
	#registration: ServiceWorkerRegistration | undefined;

	start(): void {
		if (!('serviceWorker' in navigator)) return;
		this.#update = registerSW({
			immediate: true,
			onNeedRefresh: () => (this.needRefresh = true),
			onOfflineReady: () => (this.offlineReady = true),
			onRegisteredSW: (_url, registration) => {
				this.#registration = registration;
			},
			onRegisterError: (error: unknown) => {
				this.registrationError = error instanceof Error ? error.message : String(error);
			}
		});
	}

	/** Asks the server whether a newer service worker exists (also done by the browser on navigation). */
	async check(): Promise<void> {
		await this.#registration?.update();
	}

	async reload(): Promise<void> {
		// On a first visit nothing controls the page, so the new worker is already active: just reload.
		if (!this.#registration?.waiting) {
			window.location.reload();
			return;
		}
		// workbox-window reloads by itself only if the page was controlled when it loaded; reload on the
		// controller change either way, so the click always lands on the new version.
		navigator.serviceWorker.addEventListener('controllerchange', () => window.location.reload(), { once: true });
		await this.#update?.(true);
	}

	dismiss(): void {
		this.needRefresh = false;
		this.offlineReady = false;
	}
}
