using Edge.Runtime.Budget;
using Microsoft.Extensions.Time.Testing;

namespace Edge.Runtime.Tests;

public sealed class FrameBudgetTests
{
    private static readonly FakeTimeProvider Time = new();

    [Fact]
    public void DeadlineOf_Budget100Ms_IsCaptureTimePlusBudgetInTimestampUnits()
    {
        var budget = new FrameBudget(100, Time);

        Assert.Equal(1_000 + (Time.TimestampFrequency / 10), budget.DeadlineOf(1_000));
        Assert.Equal(100, budget.BudgetMs);
    }

    [Fact]
    public void IsStale_AtDeadline_IsFalseAndOneTickLaterTrue()
    {
        var budget = new FrameBudget(100, Time);
        const long captured = 5_000_000;
        var deadline = budget.DeadlineOf(captured);

        Assert.False(budget.IsStale(captured, captured));
        Assert.False(budget.IsStale(captured, deadline - 1));
        Assert.False(budget.IsStale(captured, deadline));
        Assert.True(budget.IsStale(captured, deadline + 1));
    }

    [Fact]
    public void IsMet_AtDeadline_IsTrueAndOneTickLaterFalse()
    {
        var budget = new FrameBudget(100, Time);
        const long captured = 5_000_000;
        var deadline = budget.DeadlineOf(captured);

        Assert.True(budget.IsMet(captured, captured));
        Assert.True(budget.IsMet(captured, deadline));
        Assert.False(budget.IsMet(captured, deadline + 1));
    }

    [Fact]
    public void IsStale_WithFakeClock_FollowsElapsedTime()
    {
        var time = new FakeTimeProvider();
        var budget = new FrameBudget(40, time);
        var captured = time.GetTimestamp();

        time.Advance(TimeSpan.FromMilliseconds(40));
        var atBudget = budget.IsStale(captured, time.GetTimestamp());
        time.Advance(TimeSpan.FromTicks(1));
        var pastBudget = budget.IsStale(captured, time.GetTimestamp());

        Assert.False(atBudget);
        Assert.True(pastBudget);
    }

    [Fact]
    public void IsMet_FractionalBudget_UsesFractionalMilliseconds()
    {
        var time = new FakeTimeProvider();
        var budget = new FrameBudget(0.5, time);
        var captured = time.GetTimestamp();

        Assert.True(budget.IsMet(captured, captured + (time.TimestampFrequency / 2000)));
        Assert.False(budget.IsMet(captured, captured + (time.TimestampFrequency / 2000) + 1));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void Constructor_InvalidBudget_Throws(double budgetMs)
    {
        var exception = Assert.Throws<ArgumentOutOfRangeException>(() => new FrameBudget(budgetMs, Time));

        Assert.Equal("budgetMs", exception.ParamName);
    }
}
