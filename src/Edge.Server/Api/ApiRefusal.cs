namespace Edge.Server.Api;

/// <summary>A request the API refuses before touching the run: answered as an <see cref="Hosting.ErrorBody"/> with <see cref="Status"/>.</summary>
internal sealed class ApiRefusal(int status, string message) : Exception(message)
{
    public int Status { get; } = status;
}
