// Top-K selection for vector search, one level of a tournament: each invocation takes a segment of
// SEGMENT (score, row) pairs of one query, keeps the K best in a private list sorted best first
// (insertion; most pairs lose to the current K-th and cost one comparison), and writes the K pairs.
// Ties sort by ascending row, so the result is deterministic. Run level after level, n pairs shrink to
// K · ceil(n / SEGMENT) until one segment is left. There is no workgroup cooperation and so no barrier:
// on software rasterisers (SwiftShader) a barrier-heavy sorting network was ~50× slower.
//
// With IMPLICIT_ROWS the input is the raw score array and a pair's row is its position; otherwise rows
// come from `rows_in`. Missing pairs (a short segment) are written as (lowest f32, 0xffffffff).
// The scores are f32, so the winners are only close to the true top-K; their K-th score is the threshold
// of the filter pass (vector-filter.wgsl), after which the host re-ranks in float64 — that makes it exact.

override WORKGROUP_SIZE: u32 = 64;
override SEGMENT: u32 = 512;
override K: u32 = 16;
override IMPLICIT_ROWS: bool = true;

// The largest K the host asks for (GPU_MAX_K in gpu-index.ts); private arrays need a constant size.
const MAX_K: u32 = 128u;
const LOWEST: f32 = -3.40282346638528859812e+38f;

struct Params {
	// Valid pairs of each query in the input.
	length: u32,
	// Distance between two queries' inputs and outputs.
	in_stride: u32,
	out_stride: u32,
	// Segments per query.
	segments: u32,
}

@group(0) @binding(0) var<storage, read> scores_in: array<f32>;
@group(0) @binding(1) var<storage, read> rows_in: array<u32>;
@group(0) @binding(2) var<storage, read_write> scores_out: array<f32>;
@group(0) @binding(3) var<storage, read_write> rows_out: array<u32>;
@group(0) @binding(4) var<uniform> params: Params;

// True when (a, ia) ranks before (b, ib): higher score, then lower row.
fn better(a: f32, ia: u32, b: f32, ib: u32) -> bool {
	return a > b || (a == b && ia < ib);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3u) {
	let segment = gid.x;
	let q = gid.y;
	if (segment >= params.segments) {
		return;
	}
	var keys: array<f32, MAX_K>;
	var ids: array<u32, MAX_K>;
	for (var r = 0u; r < K; r++) {
		keys[r] = LOWEST;
		ids[r] = 0xffffffffu;
	}
	let first = segment * SEGMENT;
	let last = min(first + SEGMENT, params.length);
	for (var i = first; i < last; i++) {
		let s = scores_in[q * params.in_stride + i];
		var id = i;
		if (!IMPLICIT_ROWS) {
			id = rows_in[q * params.in_stride + i];
		}
		if (!better(s, id, keys[K - 1u], ids[K - 1u])) {
			continue;
		}
		// Shift worse entries down one place and insert.
		var j = K - 1u;
		while (j > 0u && better(s, id, keys[j - 1u], ids[j - 1u])) {
			keys[j] = keys[j - 1u];
			ids[j] = ids[j - 1u];
			j--;
		}
		keys[j] = s;
		ids[j] = id;
	}
	for (var r = 0u; r < K; r++) {
		let o = q * params.out_stride + segment * K + r;
		scores_out[o] = keys[r];
		rows_out[o] = ids[r];
	}
}
