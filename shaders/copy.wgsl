// Plain copy of an f32 array: the memory-bandwidth baseline that the tensor benchmark compares its
// kernels against, and the known-answer self-test Settings runs to prove the adapter computes.
// Each invocation copies one element; the grid may be 2D when one dimension would exceed the
// adapter's maxComputeWorkgroupsPerDimension, so the flat index folds in the y row.

override WORKGROUP_SIZE: u32 = 256;

@group(0) @binding(0) var<storage, read> source: array<f32>;
@group(0) @binding(1) var<storage, read_write> destination: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
	let i = gid.x + gid.y * groups.x * WORKGROUP_SIZE;
	if (i < arrayLength(&destination)) {
		destination[i] = source[i];
	}
}
