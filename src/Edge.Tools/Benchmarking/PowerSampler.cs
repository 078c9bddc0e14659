using System.Globalization;
using System.Text.Json;
using static Edge.Runtime.Publishing.JsonNumbers;

namespace Edge.Tools.Benchmarking;

/// <summary>One rail's mean power and energy over the sampled window.</summary>
public readonly record struct RailEnergy(string Name, double MeanWatts, double EnergyJoules);

/// <summary>
/// Power over the sampled window. The total is the board input rail where the board has one (it already includes
/// every other rail), else the sum of the rails.
/// </summary>
public sealed record PowerReport(IReadOnlyList<RailEnergy> Rails, double TotalMeanWatts, double TotalEnergyJoules, TimeSpan Duration, int Samples);

/// <summary>
/// Samples the power rails on a background thread ("edge-power") between <see cref="Start"/> and <see cref="Stop"/>
/// and integrates each rail's energy (trapezoids over the clock's monotonic timestamps). Sampling allocates nothing, since it
/// runs next to the frame loop. Without rails it samples and reports nothing. The sampler owns the rails.
/// </summary>
internal sealed class PowerSampler : IDisposable
{
    public const int DefaultIntervalMs = 100;

    // The board input: VDD_IN on Orin and Xavier NX, POM_5V_IN on the Nano (JetPack 4).
    private static readonly string[] BoardInputRails = ["VDD_IN", "POM_5V_IN"];

    private readonly PowerRails rails;
    private readonly TimeProvider time;
    private readonly long intervalTicks;
    private readonly int boardInput;
    private readonly double[] reading;
    private readonly double[] lastWatts;
    private readonly double[] joules;
    private readonly Lock gate = new();
    private readonly ManualResetEventSlim stopRequested = new();
    private Thread? thread;
    private long startedAt;
    private long sampledAt;
    private int samples;
    private bool disposed;

    public PowerSampler(PowerRails rails, TimeProvider time, int intervalMs = DefaultIntervalMs)
    {
        ArgumentNullException.ThrowIfNull(rails);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(intervalMs);
        this.rails = rails;
        this.time = time;
        intervalTicks = intervalMs * time.TimestampFrequency / 1000;
        boardInput = rails.Names.ToList().FindIndex(name => BoardInputRails.Contains(name, StringComparer.Ordinal));
        reading = new double[rails.Count];
        lastWatts = new double[rails.Count];
        joules = new double[rails.Count];
    }

    public bool HasRails => rails.Count > 0;

    /// <summary>The window so far (or the last finished one); null when there are no rails or nothing was sampled.</summary>
    public PowerReport? Report
    {
        get
        {
            lock (gate)
            {
                if (!HasRails || samples == 0)
                {
                    return null;
                }

                var seconds = Seconds(startedAt, sampledAt);
                var perRail = new RailEnergy[rails.Count];
                for (var i = 0; i < perRail.Length; i++)
                {
                    // A window too short to integrate over reports the one reading as its mean.
                    perRail[i] = new RailEnergy(rails.Names[i], seconds > 0 ? joules[i] / seconds : lastWatts[i], joules[i]);
                }

                var total = boardInput >= 0
                    ? perRail[boardInput]
                    : new RailEnergy("total", perRail.Sum(rail => rail.MeanWatts), perRail.Sum(rail => rail.EnergyJoules));
                return new PowerReport(perRail, total.MeanWatts, total.EnergyJoules, TimeSpan.FromSeconds(seconds), samples);
            }
        }
    }

    /// <summary>Starts a new window (earlier energy is discarded) with a first sample taken now.</summary>
    public void Start()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (thread is not null)
        {
            throw new InvalidOperationException("the power sampler is already running");
        }

        if (!HasRails)
        {
            return;
        }

        lock (gate)
        {
            samples = 0;
            Array.Clear(joules);
            Array.Fill(lastWatts, double.NaN);
        }

        Sample();
        stopRequested.Reset();
        thread = new Thread(SampleUntilStopped) { Name = "edge-power", IsBackground = true };
        thread.Start();
    }

    /// <summary>Ends the window with a last sample taken now; nothing happens when not running.</summary>
    public void Stop()
    {
        if (thread is null)
        {
            return;
        }

        stopRequested.Set();
        thread.Join();
        thread = null;
        Sample();
    }

    /// <summary>The total energy divided over <paramref name="frames"/>; null without rails or frames.</summary>
    public double? EnergyPerFrameJoules(long frames) =>
        frames > 0 && Report is { } report ? report.TotalEnergyJoules / frames : null;

    /// <summary>
    /// Writes the property <c>"power"</c> into the object being written: <c>rails</c> (name → <c>mean_w</c>,
    /// <c>energy_j</c>), <c>total_mean_w</c>, <c>total_energy_j</c>, <c>duration_s</c>, <c>samples</c>; null without rails.
    /// </summary>
    public void WriteJson(Utf8JsonWriter writer) => WriteJson(writer, Report);

    /// <summary>The same for a report kept after the sampler is gone (null: <c>"power": null</c>).</summary>
    public static void WriteJson(Utf8JsonWriter writer, PowerReport? power)
    {
        if (power is not { } report)
        {
            writer.WriteNull("power");
            return;
        }

        writer.WriteStartObject("power");
        writer.WriteStartObject("rails");
        foreach (var rail in report.Rails)
        {
            writer.WriteStartObject(rail.Name);
            Number(writer, "mean_w", rail.MeanWatts);
            Number(writer, "energy_j", rail.EnergyJoules);
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
        Number(writer, "total_mean_w", report.TotalMeanWatts);
        Number(writer, "total_energy_j", report.TotalEnergyJoules);
        Number(writer, "duration_s", report.Duration.TotalSeconds);
        writer.WriteNumber("samples", report.Samples);
        writer.WriteEndObject();
    }

    /// <summary>Key/value lines for the terminal table: one per rail and the total, or one saying there are no rails.</summary>
    public IEnumerable<(string Key, string Value)> Describe()
    {
        if (Report is not { } report)
        {
            yield return ("power", "not measured (no INA3221 power rails)");
            yield break;
        }

        foreach (var rail in report.Rails)
        {
            yield return ($"power {rail.Name}", Watts(rail.MeanWatts, rail.EnergyJoules));
        }

        yield return ("power total", Watts(report.TotalMeanWatts, report.TotalEnergyJoules));
    }

    public void Dispose()
    {
        if (disposed)
        {
            return;
        }

        Stop();
        disposed = true;
        rails.Dispose();
        stopRequested.Dispose();
    }

    private void SampleUntilStopped()
    {
        var next = time.GetTimestamp() + intervalTicks;
        while (!stopRequested.Wait(Remaining(next)))
        {
            Sample();
            var now = time.GetTimestamp();
            next = Math.Max(next + intervalTicks, now); // after a stall, carry on rather than sample in a burst
        }
    }

    private TimeSpan Remaining(long deadline) =>
        TimeSpan.FromTicks(Math.Max(0, time.GetElapsedTime(time.GetTimestamp(), deadline).Ticks));

    private void Sample()
    {
        rails.ReadWatts(reading);
        var now = time.GetTimestamp();
        lock (gate)
        {
            var seconds = samples == 0 ? 0 : Seconds(sampledAt, now);
            for (var i = 0; i < reading.Length; i++)
            {
                // A failed read repeats the rail's last good reading rather than punching a hole in the integral.
                var watts = double.IsNaN(reading[i]) ? lastWatts[i] : reading[i];
                if (!double.IsNaN(watts) && !double.IsNaN(lastWatts[i]))
                {
                    joules[i] += (lastWatts[i] + watts) / 2 * seconds;
                }

                lastWatts[i] = watts;
            }

            if (samples == 0)
            {
                startedAt = now;
            }

            sampledAt = now;
            samples++;
        }
    }

    /// <summary>Exact to the clock's tick, unlike a TimeSpan (100 ns), so the intervals sum to the window.</summary>
    private double Seconds(long from, long to) => (to - from) / (double)time.TimestampFrequency;

    private static string Watts(double meanWatts, double joules) =>
        string.Create(CultureInfo.InvariantCulture, $"{meanWatts:0.00} W mean, {joules:0.0} J");
}
