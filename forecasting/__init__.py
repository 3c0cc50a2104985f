"""Volume forecasting for support queues: seasonality in local time, holidays, events."""
