namespace MoeTune.Plugins.FlashInferCutlass.Runtime;

/// <summary>
/// Where the routing kernel writes, and the GEMMs and gather read: device addresses of int32 arrays.
/// </summary>
/// <param name="RowOffsets">[E + 1]: first permuted row of each expert (multiples of 64); [E] is the row total.</param>
/// <param name="TileOffsets">[E + 1]: first m-tile of each expert; [E] is the m-tile total.</param>
/// <param name="TileExperts">[max m-tiles]: the expert of each m-tile.</param>
/// <param name="RowSources">[max rows]: the (token · k + slot) entry of each permuted row, or -1 for padding.</param>
/// <param name="EntryRows">[T · k]: the permuted row of each entry (the inverse of <paramref name="RowSources"/>), or -1 for an expert id out of range.</param>
public readonly record struct RoutingBuffers(nint RowOffsets, nint TileOffsets, nint TileExperts, nint RowSources, nint EntryRows);
