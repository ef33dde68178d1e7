// Candidate filter for exact vector search. After the top-k tournament, `winners` holds each query's K
// best f32 scores, best first; the K-th, w, belongs to K real vectors whose exact (float64) scores are
// ≥ w − margin, so the true K-th score is too. A row can reach the true top-K only if its exact score,
// and so its f32 score + margin, is ≥ w − margin. Every row with f32 score + 2·margin ≥ w is appended
// (through an atomic counter per query, in no particular order); the host re-ranks them in float64,
// which gives exactly the brute-force top-K. `margin` bounds the f32 error of one dot product and
// includes slack for the rounding of this comparison. When more than CAPACITY rows pass, the counter
// still counts them all and the host runs the pass again with more room.

override WORKGROUP_SIZE: u32 = 256;
override CAPACITY: u32 = 4096;
override K: u32 = 16;

struct Params {
	count: u32,
	queries: u32,
	margin: f32,
	_pad: u32,
}

@group(0) @binding(0) var<storage, read> scores: array<f32>;
@group(0) @binding(1) var<storage, read> winners: array<f32>;
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
	if (scores[flat] + 2.0 * params.margin >= winners[q * K + K - 1u]) {
		let slot = atomicAdd(&counts[q], 1u);
		if (slot < CAPACITY) {
			rows[q * CAPACITY + slot] = row;
		}
	}
}
