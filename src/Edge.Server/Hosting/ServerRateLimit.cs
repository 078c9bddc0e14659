using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;

namespace Edge.Server.Hosting;

/// <summary>
/// ASP.NET Core's rate limiter with one policy, <see cref="PerClient"/>: a token bucket per client address, so one
/// busy or hostile client is answered 429 while others keep their share. Modules put it on the routes that do work
/// (the control API, the view); metrics and health stay unlimited, so a supervisor's probe is never refused.
/// </summary>
public static class ServerRateLimit
{
    /// <summary>The policy name, for <c>RequireRateLimiting</c>.</summary>
    public const string PerClient = "per-client";

    internal static void Add(IServiceCollection services, ServerLimits limits) => services.AddRateLimiter(options =>
    {
        options.AddPolicy(PerClient, context => RateLimitPartition.GetTokenBucketLimiter(
            context.Connection.RemoteIpAddress?.ToString() ?? "",
            _ => new TokenBucketRateLimiterOptions
            {
                TokenLimit = limits.RequestBurstPerClient,
                TokensPerPeriod = limits.RequestsPerSecondPerClient,
                ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                QueueLimit = 0,
                AutoReplenishment = true,
            }));
        options.OnRejected = (rejected, cancellationToken) =>
        {
            var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.FromSeconds(1);
            var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
            rejected.HttpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            return new ValueTask(ErrorAnswers.Send(rejected.HttpContext, StatusCodes.Status429TooManyRequests, $"too many requests from {rejected.HttpContext.Connection.RemoteIpAddress}: expected at most {limits.RequestsPerSecondPerClient} a second (bursts of {limits.RequestBurstPerClient}); retry after {seconds} s"));
        };
    });
}
