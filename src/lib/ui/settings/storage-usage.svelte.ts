import { formatBytes, storageReport, type StorageReport } from '../../db/storage.ts';

/**
 * Docket's storage use as the browser estimates it, shared by Settings › Models and Settings › Storage so
 * both show the same figure, read at the same moment, in the same units.
 */
export class StorageUsage {
	report = $state.raw<StorageReport | undefined>(undefined);

	async refresh(): Promise<void> {
		this.report = await storageReport();
	}
}

let shared: StorageUsage | undefined;

export function storageUsage(): StorageUsage {
	shared ??= new StorageUsage();
	return shared;
}

/** "72.8 MB of 10.8 GB", or "72.8 MB" when the browser gives no quota; undefined when it gives no usage. */
export function usageText(report: Pick<StorageReport, 'usage' | 'quota'> | undefined): string | undefined {
	if (report?.usage === undefined) return undefined;
	return report.quota ? `${formatBytes(report.usage)} of ${formatBytes(report.quota)}` : formatBytes(report.usage);
}
