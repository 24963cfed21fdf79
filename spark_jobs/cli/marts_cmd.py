HELP = "write a synthetic month in the Kaggle format (placeholder until the generator lands)"


def configure(parser):
    pass


def run(args):
    raise NotImplementedError("marts")
