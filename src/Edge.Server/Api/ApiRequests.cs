namespace Edge.Server.Api;

// The bodies the control API takes (snake_case JSON; docs/http.md). Nullable where the API, not the parser, should
// say what is missing: a parser error names .NET types, a refusal names the field and what it takes. Thresholds are a
// plain map, label -> {threshold, off_threshold}, as a stream's thresholds in the config file.

/// <summary><c>PUT /api/v1/heads/{head}/model</c>: the bundle folder, on the device, to swap in.</summary>
public sealed record SwapRequest(string? Bundle);

/// <summary><c>PUT /api/v1/streams/{id}/budget</c>: the new end-to-end budget and/or miss policy (one may be left out).</summary>
public sealed record BudgetRequest(double? BudgetMs, string? MissPolicy);

/// <summary>
/// <c>POST /api/v1/streams</c>: a stream to add, as an entry of the config file's <c>streams</c>. <see cref="Output"/>
/// is there to be refused by name: a stream added at run time writes its label sets to the run's output.
/// </summary>
public sealed record StreamRequest(
    string? Id,
    string? Source,
    double? BudgetMs,
    string? MissPolicy,
    Dictionary<string, Edge.Runtime.Options.ThresholdOverride>? Thresholds,
    List<string>? Heads,
    bool? Required,
    string? Output);
