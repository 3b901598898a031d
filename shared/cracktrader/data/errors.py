"""The error every data problem becomes: it names the source, the row, the field and the rule."""


class DataError(ValueError):
    def __init__(self, source, row, field, rule, detail):
        self.source, self.row, self.field, self.rule, self.detail = source, row, field, rule, detail
        where = f"{source}" + (f", row {row}" if row is not None else "") + (f", {field}" if field else "")
        super().__init__(f"{where}: {detail} [{rule}]")
