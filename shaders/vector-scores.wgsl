// Batched dot products for vector search: scores[q · count + i] = vectors[i] · queries[q].
//
// Vectors and queries are unit-length f32, stored as vec4 rows of DIM4 = ceil(dim / 4) (zero padded).
// One invocation computes one (query, vector) pair; the flat invocation index may be folded into a 2D
// grid when it exceeds maxComputeWorkgroupsPerDimension. The index may be split into shards (one storage
// buffer each, to stay under maxStorageBufferBindingSize); `base` places a shard's rows in the scores.
// The f32 result differs from the float64 dot product by at most dim · 2⁻²⁴ (for unit vectors), a
// margin the filter pass adds before the CPU re-ranks candidates in float64.

override WORKGROUP_SIZE: u32 = 256;
override DIM4: u32 = 96;

struct Params {
	// Rows in this shard.
	rows: u32,
	// Row of this shard's first vector within the whole index.
	base: u32,
	// Rows in the whole index: the stride of one query's scores.
	count: u32,
	queries: u32,
}

@group(0) @binding(0) var<storage, read> vectors: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> queries: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> scores: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
	let flat = gid.x + gid.y * groups.x * WORKGROUP_SIZE;
	if (flat >= params.rows * params.queries) {
		return;
	}
	let q = flat / params.rows;
	let row = flat % params.rows;
	let v0 = row * DIM4;
	let q0 = q * DIM4;
	var sum = vec4<f32>(0.0);
	for (var j = 0u; j < DIM4; j++) {
		sum += vectors[v0 + j] * queries[q0 + j];
	}
	scores[q * params.count + params.base + row] = sum.x + sum.y + sum.z + sum.w;
}
