using System.Text;
using Microsoft.AspNetCore.Http;

namespace Edge.Server.Hosting;

/// <summary>Plain-text answers for probes, scrapers and people with curl.</summary>
public static class PlainAnswers
{
    public const string PlainText = "text/plain; charset=utf-8";

    /// <summary>Sets the length first, so a HEAD request gets the length the body would have (Kestrel sends no body for HEAD).</summary>
    public static Task Send(HttpContext context, int status, string body, string contentType = PlainText)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        context.Response.StatusCode = status;
        context.Response.ContentType = contentType;
        context.Response.ContentLength = bytes.Length;
        return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : context.Response.Body.WriteAsync(bytes).AsTask();
    }
}
