namespace Edge.Server.Api;

// The bodies the control API takes (snake_case JSON; docs/http.md). Nullable where the API, not the parser, should
// say what is missing: a parser error names .NET types, a refusal names the field and what it takes. Thresholds are a
// plain map, label -> {threshold, off_threshold}, as a stream's thresholds in the config file.

/// <summary><c>PUT /api/v1/heads/{head}/model</c>: the bundle folder, on the device, to swap in.</summary>
public sealed record SwapRequest(string? Bundle);

/// <summary><c>PUT /api/v1/streams/{id}/budget</c>: the new end-to-end budget and/or miss policy (one may be left out).</summary>
public sealed record BudgetRequest(double? BudgetMs, string? MissPolicy);
