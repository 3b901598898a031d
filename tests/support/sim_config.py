"""The exchange simulator's setup shared by the tests (the `exchange_sim` fixture's clock and gaps)."""

DAY = 86_400_000
SIM_START = 1_704_067_200_000  # 2024-01-01
SIM_NOW = SIM_START + 5 * DAY + 12 * 3_600_000 + 34_567  # mid-bar: the last bar is still open
SIM_GAP = (SIM_START + DAY + 3_600_000, SIM_START + DAY + 3_600_000 + 30 * 60_000)  # 30 minutes
SIM_GAPS = {"BTC/USDT": [SIM_GAP]}
