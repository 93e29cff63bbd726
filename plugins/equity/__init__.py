"""Joint equity trading (产权交易): transfer projects, disclosure, qualified buyers, online auction, deal."""
