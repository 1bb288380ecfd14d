namespace MoeTune.Plugins.Marlin;

/// <summary>
/// The implementations of Marlin's decode kernel (up to 16 tokens). All run the same work items and give the same
/// results up to the order of fp32 additions inside a work item; they differ in how weights reach the math and in how
/// an item's end overlaps the stream.
/// </summary>
public enum DecodePipeline
{
    /// <summary>
    /// kernels/marlin_decode.cu, SM 8.0 and newer: each warp loads its weight records straight into a ring of registers
    /// (four records deep) and its activations through cp.async.
    /// </summary>
    RegisterRing,

    /// <summary>
    /// kernels/marlin_decode_bulk.cu, SM 9.0 and newer: a producer warp copies whole stages of weights and activations
    /// into a shared-memory ring with the copy engine (bulk copies completing on mbarriers), running ahead of four
    /// consumer warps across work items.
    /// </summary>
    BulkCopy,

    /// <summary>
    /// kernels/marlin_decode_bulk.cu's marlin_decode_overlap_* kernels, SM 9.0 and newer: <see cref="BulkCopy"/> with the
    /// item epilogue taken off the consumers' critical path (epilogue constants loaded before the stream, release
    /// increments, GEMM2 items reported one pass late), one more CTA per SM (4 with one n-tile, 3 with two), and one
    /// n-tile above 8 tokens unless the routing is dense, so that 16 tokens spread over many experts keep 4 CTAs per SM.
    /// </summary>
    BulkCopyOverlapped,
}
