using Edge.Runtime.Pipeline;

namespace Edge.Runtime.Tests.Pipeline;

public sealed class BatchLatencyModelTests
{
    [Fact]
    public void Predict_SteadyLatency_IsThatLatency()
    {
        var model = new BatchLatencyModel(4);
        for (var i = 0; i < 50; i++)
        {
            model.Record(2, 12.5);
        }

        Assert.Equal(12.5, model.Predict(2), precision: 6);
    }

    [Fact]
    public void Predict_SpreadLatencies_LiesAboveTheMeanNearTheHighQuantile()
    {
        var model = new BatchLatencyModel(1, weight: 0.05);
        var random = new Random(7);
        var samples = new List<double>();
        for (var i = 0; i < 2000; i++)
        {
            var sample = 20 + (random.NextDouble() * 10);
            samples.Add(sample);
            model.Record(1, sample);
        }

        samples.Sort();
        var p90 = samples[(int)(samples.Count * 0.9)];
        Assert.InRange(model.Predict(1), 25.5, p90 + 2);
    }

    [Fact]
    public void Predict_LatencyRises_FollowsItWithinAFewDozenBatches()
    {
        var model = new BatchLatencyModel(1);
        for (var i = 0; i < 20; i++)
        {
            model.Record(1, 10);
        }

        for (var i = 0; i < 60; i++)
        {
            model.Record(1, 30);
        }

        Assert.InRange(model.Predict(1), 29, 31.5);
    }

    [Fact]
    public void Predict_SizeNeverMeasured_ScalesTheNearestSmallerSizePerFrame()
    {
        var model = new BatchLatencyModel(8);
        model.Record(2, 20);

        Assert.Equal(40, model.Predict(4), precision: 6);
        Assert.Equal(0, model.Predict(1));
    }

    [Fact]
    public void Record_Restart_ForgetsEarlierMeasurementsOfThatSize()
    {
        var model = new BatchLatencyModel(2);
        for (var i = 0; i < 30; i++)
        {
            model.Record(1, 60 + (i % 3));
            model.Record(2, 90);
        }

        model.Record(1, 5, restart: true);

        Assert.Equal(5, model.Predict(1), precision: 6);
        Assert.Equal(90, model.Predict(2), precision: 6);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1.5)]
    public void Constructor_WeightOutsideZeroToOne_Throws(double weight)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new BatchLatencyModel(2, weight));
    }
}
