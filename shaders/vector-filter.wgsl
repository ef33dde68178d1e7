// Candidate filter for exact vector search: appends every row whose f32 score, plus the f32 error
// margin, reaches its query's threshold (a float64 score the host already proved is at most the k-th
// best). Every row of the true top-k passes, so re-ranking the survivors in float64 is exact. Rows are
// appended through an atomic counter per query, in no particular order (the host sorts them); when more
// than CAPACITY pass, the counter still counts them all and the host runs the pass again with more room.

override WORKGROUP_SIZE: u32 = 256;
override CAPACITY: u32 = 4096;

struct Params {
	count: u32,
	queries: u32,
	margin: f32,
	_pad: u32,
}

@group(0) @binding(0) var<storage, read> scores: array<f32>;
@group(0) @binding(1) var<storage, read> thresholds: array<f32>;
@group(0) @binding(2) var<storage, read_write> counts: array<atomic<u32>>;
@group(0) @binding(3) var<storage, read_write> rows: array<u32>;
@group(0) @binding(4) var<uniform> params: Params;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
	let flat = gid.x + gid.y * groups.x * WORKGROUP_SIZE;
	if (flat >= params.count * params.queries) {
		return;
	}
	let q = flat / params.count;
	let row = flat % params.count;
	if (scores[flat] + params.margin >= thresholds[q]) {
		let slot = atomicAdd(&counts[q], 1u);
		if (slot < CAPACITY) {
			rows[q * CAPACITY + slot] = row;
		}
	}
}
