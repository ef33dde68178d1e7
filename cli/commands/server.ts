import { parseArgs } from 'node:util';
import { UsageError, type Command, type CommandIo } from '../command.ts';
import { ConfigError, resolveConfig } from '../../sync-server/config.ts';
import { startServer } from '../../sync-server/main.ts';
import { addUserForCli, listUsersForCli, removeUserForCli } from '../../sync-server/admin.ts';

export const serverCommand: Command = {
	name: 'server',
	summary: 'Run the Docket server: the web app and the team sync server',
	usage: `Usage: docket server [--port P] [--host H] [--data DIR] [--database-url URL] [--static DIR] [--models DIR]
       docket server user add NAME --team TEAM [--admin] [--data DIR] [--database-url URL]
       docket server user list [--json] [--data DIR] [--database-url URL]
       docket server user remove NAME [--team TEAM] [--data DIR] [--database-url URL]

Serves the built web app and the sync API.
  --port P            port to listen on (env PORT, default 8080)
  --host H            address to bind (env HOST, default 127.0.0.1; 0.0.0.0 for a team server)
  --data DIR          data directory (env DOCKET_DATA_DIR, default ./.data)
  --database-url URL  a Postgres with pgvector (env DATABASE_URL); default: embedded PGlite in DIR
  --static DIR        the built app (env DOCKET_STATIC_DIR, default ./build)
  --models DIR        model files served at /models/ (env MODELS_DIR)
  --log-level L       fatal | error | warn | info | debug | silent (env LOG_LEVEL, default info)
  --s3-bucket B       keep files in this S3-compatible bucket instead of DIR (env DOCKET_S3_BUCKET)
  --s3-endpoint URL   the object store's address, for MinIO and the like (env DOCKET_S3_ENDPOINT)
  --s3-region R       (env DOCKET_S3_REGION or AWS_REGION, default us-east-1)
  --s3-path-style B   true | false: bucket in the path (env DOCKET_S3_FORCE_PATH_STYLE; default true with an endpoint)
  --connect-src LIST  comma-separated origins the app may also connect to, e.g. a model host of the firm's own
                      (env DOCKET_CONNECT_SRC; default: only this server)
  --trust-proxy LIST  the reverse proxy whose X-Forwarded-For names the client: loopback, addresses or CIDR
                      ranges (env DOCKET_TRUST_PROXY; default: none, every client is its socket's address)

\`user add\` creates a person (and the team on first use; --admin makes them its admin) and prints a new
access token as its last line; only a hash of it is stored. Adding a name the team already has gives that
person one more token. \`user list\` shows people, roles, devices and when each was last seen. \`user remove\`
removes a person (by name or email) and ends every one of their tokens at once. While a server owns the
data directory, these commands go through it.`,
	async run(argv, io) {
		if (argv[0] === 'user') return userCommand(argv.slice(1), io);
		const { values } = parseArgs({
			args: argv,
			options: {
				port: { type: 'string' },
				host: { type: 'string' },
				data: { type: 'string' },
				static: { type: 'string' },
				'database-url': { type: 'string' },
				models: { type: 'string' },
				'log-level': { type: 'string' },
				's3-bucket': { type: 'string' },
				's3-endpoint': { type: 'string' },
				's3-region': { type: 'string' },
				's3-path-style': { type: 'string' },
				'connect-src': { type: 'string' },
				'trust-proxy': { type: 'string' }
			},
			strict: true
		});
		let config;
		try {
			config = resolveConfig(values);
		} catch (error) {
			if (error instanceof ConfigError) throw new UsageError(error.message);
			throw error;
		}
		const server = await startServer(config);
		io.stderr(`Docket is running at ${server.url}`);
		// Runs until a signal stops it.
		await new Promise<never>(() => undefined);
		return 0;
	}
};

function userConfig(values: { data?: string | undefined; 'database-url'?: string | undefined }) {
	try {
		return resolveConfig({ data: values.data, 'database-url': values['database-url'], 'log-level': 'silent' });
	} catch (error) {
		if (error instanceof ConfigError) throw new UsageError(error.message);
		throw error;
	}
}

const WHERE = { data: { type: 'string' }, 'database-url': { type: 'string' } } as const;

async function userCommand(argv: string[], io: CommandIo): Promise<number> {
	const [action, ...rest] = argv;
	if (action === 'add') return userAdd(rest, io);
	if (action === 'list') return userList(rest, io);
	if (action === 'remove') return userRemove(rest, io);
	throw new UsageError(
		`Unknown user action "${action ?? ''}"; there are: user add NAME --team TEAM, user list, user remove NAME.`
	);
}

async function userAdd(argv: string[], io: CommandIo): Promise<number> {
	const { values, positionals } = parseArgs({
		args: argv,
		options: { team: { type: 'string' }, admin: { type: 'boolean' }, ...WHERE },
		allowPositionals: true,
		strict: true
	});
	const name = positionals.join(' ').trim();
	if (!name) throw new UsageError('Name the user: docket server user add NAME --team TEAM.');
	if (!values.team?.trim()) throw new UsageError('Say which team: --team TEAM.');
	const team = values.team.trim();
	const added = await addUserForCli(userConfig(values), name, team, values.admin ? 'admin' : 'member');
	io.stderr(`Added ${name} to team ${team}. Give them this access token (it is shown only once):`);
	io.stdout(added.token);
	return 0;
}

function seen(at: string | null): string {
	return at ? `last seen ${at.replace('T', ' ').replace(/\.\d+Z$/, ' UTC')}` : 'never seen';
}

async function userList(argv: string[], io: CommandIo): Promise<number> {
	const { values } = parseArgs({ args: argv, options: { json: { type: 'boolean' }, ...WHERE }, strict: true });
	const people = await listUsersForCli(userConfig(values));
	if (values.json) {
		for (const person of people) io.stdout(JSON.stringify(person));
		return 0;
	}
	if (people.length === 0)
		io.stderr('Nobody yet: docket server user add NAME --team TEAM, or set the server up in a browser.');
	for (const person of people) {
		io.stdout(`${person.team} · ${person.name}${person.email ? ` <${person.email}>` : ''} · ${person.role}`);
		if (person.devices.length === 0) io.stdout('    no devices');
		for (const device of person.devices) io.stdout(`    ${device.name} · ${seen(device.lastSeenAt)}`);
	}
	return 0;
}

async function userRemove(argv: string[], io: CommandIo): Promise<number> {
	const { values, positionals } = parseArgs({
		args: argv,
		options: { team: { type: 'string' }, ...WHERE },
		allowPositionals: true,
		strict: true
	});
	const name = positionals.join(' ').trim();
	if (!name) throw new UsageError('Name the person: docket server user remove NAME [--team TEAM].');
	const removed = await removeUserForCli(userConfig(values), name, values.team?.trim() || undefined);
	io.stdout(
		`Removed ${name} from team ${removed.team}; ${removed.devices} ${removed.devices === 1 ? 'token' : 'tokens'} revoked.`
	);
	return 0;
}
