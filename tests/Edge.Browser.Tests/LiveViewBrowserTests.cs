using System.Diagnostics;
using System.Text.Json;
using Microsoft.Playwright;

namespace Edge.Browser.Tests;

/// <summary>
/// The live view of <c>edge run</c> (default model, synthetic camera) in headless Chromium: the video moves, the overlay
/// shows the label set the JSON line of that same frame has, and a threshold set in the page takes effect in the run.
/// </summary>
public sealed class LiveViewBrowserTests(HeadlessChromium chromium) : IClassFixture<HeadlessChromium>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task LiveView_SyntheticStream_ShowsMovingVideoWithItsLabelSetsAndTakesAThreshold()
    {
        using var edge = await RunningEdge.StartAsync(TimeSpan.FromMinutes(2), "--source", "synthetic?fps=8", "--budget-ms", "2000");
        var page = await chromium.Browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        await page.GotoAsync(edge.Url("/view/").ToString());

        // The video: a frame is drawn, then another frame with other pixels.
        var overlay = page.Locator("section.stream[data-stream='cam0'] .overlay");
        var video = page.Locator("section.stream[data-stream='cam0'] canvas.video");
        var first = await NextFrame(overlay, after: 0);
        var firstPixels = await video.EvaluateAsync<string>("canvas => canvas.toDataURL()");
        var second = await NextFrame(overlay, after: first);
        var secondPixels = await video.EvaluateAsync<string>("canvas => canvas.toDataURL()");
        Assert.NotEqual(firstPixels, secondPixels);

        // The overlay of a frame lists exactly the active labels of that frame's JSON line.
        var (shownFrame, shownLabels) = await Shown(page, overlay);
        var line = await LabelSetOf(edge, shownFrame);
        Assert.Equal(Active(line).Order(), shownLabels.Order());

        // A threshold set in the page: a label not active now, set to 0, is active in every later label set.
        var quiet = Scores(line).Keys.First(label => !Active(line).Contains(label));
        var input = page.Locator($"section.stream[data-stream='cam0'] input[data-label='{quiet}']");
        await input.FillAsync("0");
        await page.Locator($"section.stream[data-stream='cam0'] tr[data-label='{quiet}'] button").ClickAsync();
        await Expect(page.Locator("section.stream[data-stream='cam0'] .control-status[data-ok='true']"));
        var setAt = edge.LabelSets.Count;
        var afterChange = await NextFrame(overlay, after: shownFrame + 3);
        await Expect(page.Locator($"section.stream[data-stream='cam0'] .overlay li[data-label='{quiet}']"));
        var later = await LabelSetOf(edge, afterChange);
        Assert.Contains(quiet, Active(later));
        Assert.All(edge.LabelSets.Skip(setAt + 2).Select(Parse), set => Assert.Contains(quiet, Active(set)));

        await page.ScreenshotAsync(new PageScreenshotOptions { Path = ArtifactPath("live-view.png"), FullPage = true });
    }

    /// <summary>Waits until the overlay shows a frame after <paramref name="after"/>; returns its number.</summary>
    private static async Task<long> NextFrame(ILocator overlay, long after)
    {
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < Patience)
        {
            var shown = await overlay.GetAttributeAsync("data-frame");
            if (long.TryParse(shown, out var frame) && frame > after)
            {
                return frame;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"the live view showed no frame after {after} within {Patience}");
    }

    /// <summary>The frame number and the active labels the overlay shows, read in one go so they belong together.</summary>
    private static async Task<(long Frame, string[] Labels)> Shown(IPage page, ILocator overlay)
    {
        var shown = await overlay.EvaluateAsync<JsonElement>("o => ({ frame: o.dataset.frame, labels: [...o.querySelectorAll('li[data-label]')].map(li => li.dataset.label) })");
        return (long.Parse(shown.GetProperty("frame").GetString()!, System.Globalization.CultureInfo.InvariantCulture), [.. shown.GetProperty("labels").EnumerateArray().Select(label => label.GetString()!)]);
    }

    /// <summary>The JSON line of frame <paramref name="frame"/> of cam0 (waiting for it: stdout may lag the page a little).</summary>
    private static async Task<JsonElement> LabelSetOf(RunningEdge edge, long frame)
    {
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < Patience)
        {
            foreach (var set in edge.LabelSets.Select(Parse))
            {
                if (set.GetProperty("stream").GetString() == "cam0" && set.GetProperty("frame").GetInt64() == frame)
                {
                    return set;
                }
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"no label set of frame {frame} was printed within {Patience}");
    }

    private static async Task Expect(ILocator locator) =>
        await locator.First.WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Attached, Timeout = (float)Patience.TotalMilliseconds });

    private static JsonElement Parse(string line) => JsonDocument.Parse(line).RootElement;

    private static string[] Active(JsonElement set) => [.. set.GetProperty("active").EnumerateArray().Select(label => label.GetString()!)];

    private static Dictionary<string, double> Scores(JsonElement set) =>
        set.GetProperty("scores").EnumerateObject().ToDictionary(score => score.Name, score => score.Value.GetDouble());

    /// <summary>Where CI keeps the screenshot: <c>EDGE_TEST_ARTIFACTS</c>, else <c>artifacts/</c> at the repository root.</summary>
    private static string ArtifactPath(string name)
    {
        var folder = Environment.GetEnvironmentVariable("EDGE_TEST_ARTIFACTS") is { Length: > 0 } configured ? configured : Path.Combine(Repository.Root(), "artifacts");
        Directory.CreateDirectory(folder);
        return Path.Combine(folder, name);
    }
}
