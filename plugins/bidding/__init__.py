"""Public resource trading (公共资源交易): tenders, sealed electronic bids, public opening, publicity."""
