namespace Edge.Tools.Evaluation.Datasets;

/// <summary>One CSV record: its unquoted fields and the line it starts on (1-based; quoted fields may span lines).</summary>
internal sealed record CsvRecord(int Line, string[] Fields);
