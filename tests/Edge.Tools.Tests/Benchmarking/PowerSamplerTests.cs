using System.Diagnostics;
using System.Text.Json;
using Edge.Tools.Benchmarking;

namespace Edge.Tools.Tests.Benchmarking;

public sealed class PowerSamplerTests
{
    private const int IntervalMs = 10;

    [Fact]
    public void Stop_ConstantPower_IntegratesWattsTimesDuration()
    {
        using var root = FakeRoot.Orin();
        using var sampler = new PowerSampler(PowerRails.Discover(root.Path), TimeProvider.System, IntervalMs);
        var clock = Stopwatch.StartNew();

        sampler.Start();
        Thread.Sleep(200);
        sampler.Stop();
        clock.Stop();

        var report = sampler.Report!;
        Assert.True(report.Samples >= 3, $"{report.Samples} samples");
        Assert.InRange(report.Duration.TotalSeconds, 0.15, clock.Elapsed.TotalSeconds);
        Assert.Equal(["VDD_IN", "VDD_CPU_GPU_CV", "VDD_SOC"], report.Rails.Select(rail => rail.Name));
        Assert.Equal([10.0, 2.0, 3.0], report.Rails.Select(rail => Math.Round(rail.MeanWatts, 9)));
        Assert.Equal(10 * report.Duration.TotalSeconds, report.Rails[0].EnergyJoules, tolerance: 1e-4); // a tolerance, not decimal places: rounding at a boundary flips the 5th place
        Assert.Equal(10.0, report.TotalMeanWatts, 9); // VDD_IN is the board input: the other rails are inside it
        Assert.Equal(report.Rails[0].EnergyJoules, report.TotalEnergyJoules);
    }

    [Fact]
    public void Stop_RailRewrittenWhileSampling_EnergyLiesBetweenTheTwoPowers()
    {
        using var root = FakeRoot.Orin();
        using var sampler = new PowerSampler(PowerRails.Discover(root.Path), TimeProvider.System, IntervalMs);

        sampler.Start();
        Thread.Sleep(150);
        root.SetRail(1, 5000, 4000); // VDD_IN 10 W -> 20 W
        Thread.Sleep(150);
        sampler.Stop();

        var report = sampler.Report!;
        var seconds = report.Duration.TotalSeconds;
        Assert.InRange(report.TotalEnergyJoules, 10 * seconds * 1.1, 20 * seconds * 0.9);
        Assert.InRange(report.TotalMeanWatts, 11, 19);
    }

    [Fact]
    public void Report_NoBoardInputRail_TotalIsTheSum()
    {
        using var root = FakeRoot.Orin();
        File.WriteAllText(Path.Join(root.OrinHwmon, "in1_label"), "VDD_GPU_SOC\n");
        using var sampler = new PowerSampler(PowerRails.Discover(root.Path), TimeProvider.System, IntervalMs);

        sampler.Start();
        Thread.Sleep(50);
        sampler.Stop();

        Assert.Equal(15.0, sampler.Report!.TotalMeanWatts, 9);
    }

    [Fact]
    public void EnergyPerFrameJoules_DividesTheTotalEnergy()
    {
        using var root = FakeRoot.Orin();
        using var sampler = new PowerSampler(PowerRails.Discover(root.Path), TimeProvider.System, IntervalMs);
        sampler.Start();
        Thread.Sleep(50);
        sampler.Stop();

        Assert.Equal(sampler.Report!.TotalEnergyJoules / 40, sampler.EnergyPerFrameJoules(40));
        Assert.Null(sampler.EnergyPerFrameJoules(0));
    }

    [Fact]
    public void Start_Twice_Throws()
    {
        using var root = FakeRoot.Orin();
        using var sampler = new PowerSampler(PowerRails.Discover(root.Path), TimeProvider.System, IntervalMs);
        sampler.Start();

        Assert.Throws<InvalidOperationException>(sampler.Start);
    }

    [Fact]
    public void Start_AgainAfterStop_BeginsANewWindow()
    {
        using var root = FakeRoot.Orin();
        using var sampler = new PowerSampler(PowerRails.Discover(root.Path), TimeProvider.System, IntervalMs);
        sampler.Start();
        Thread.Sleep(100);
        sampler.Stop();
        Thread.Sleep(50);

        var second = Stopwatch.StartNew();
        sampler.Start();
        sampler.Stop();
        second.Stop();

        // Carried over, the window would span the first one and the pause too.
        var report = sampler.Report!;
        Assert.InRange(report.Duration, TimeSpan.Zero, second.Elapsed);
        Assert.Equal(10 * report.Duration.TotalSeconds, report.TotalEnergyJoules, tolerance: 1e-4); // a tolerance, not decimal places (see above)
    }

    [Fact]
    public void Sampler_NoRails_ReportsNothingAndNeverThrows()
    {
        using var root = FakeRoot.Empty();
        using var sampler = new PowerSampler(PowerRails.Discover(root.Path), TimeProvider.System);

        sampler.Start();
        sampler.Stop();

        Assert.False(sampler.HasRails);
        Assert.Null(sampler.Report);
        Assert.Null(sampler.EnergyPerFrameJoules(100));
        Assert.Equal(JsonValueKind.Null, WriteInObject(sampler).GetProperty("power").ValueKind);
        Assert.Equal([("power", "not measured (no INA3221 power rails)")], sampler.Describe());
    }

    [Fact]
    public void WriteJson_AfterSampling_WritesRailsAndTotals()
    {
        using var root = FakeRoot.Orin();
        using var sampler = new PowerSampler(PowerRails.Discover(root.Path), TimeProvider.System, IntervalMs);
        sampler.Start();
        Thread.Sleep(50);
        sampler.Stop();

        var power = WriteInObject(sampler).GetProperty("power");

        var rails = power.GetProperty("rails");
        Assert.Equal(["VDD_IN", "VDD_CPU_GPU_CV", "VDD_SOC"], rails.EnumerateObject().Select(rail => rail.Name));
        Assert.Equal(3.0, rails.GetProperty("VDD_SOC").GetProperty("mean_w").GetDouble());
        Assert.True(rails.GetProperty("VDD_SOC").GetProperty("energy_j").GetDouble() > 0);
        Assert.Equal(10.0, power.GetProperty("total_mean_w").GetDouble());
        Assert.Equal(Math.Round(sampler.Report!.TotalEnergyJoules, 4), power.GetProperty("total_energy_j").GetDouble());
        Assert.True(power.GetProperty("samples").GetInt32() >= 2);
    }

    [Fact]
    public void Describe_AfterSampling_ListsRailsAndTotal()
    {
        using var root = FakeRoot.Orin();
        using var sampler = new PowerSampler(PowerRails.Discover(root.Path), TimeProvider.System, IntervalMs);
        sampler.Start();
        sampler.Stop();

        var lines = sampler.Describe().ToDictionary(line => line.Key, line => line.Value);

        Assert.Equal(["power VDD_IN", "power VDD_CPU_GPU_CV", "power VDD_SOC", "power total"], lines.Keys);
        Assert.StartsWith("10.00 W mean, ", lines["power total"], StringComparison.Ordinal);
    }

    private static JsonElement WriteInObject(PowerSampler sampler)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            sampler.WriteJson(writer);
            writer.WriteEndObject();
        }

        return JsonDocument.Parse(stream.ToArray()).RootElement.Clone();
    }
}
