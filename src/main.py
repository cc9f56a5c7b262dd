"""Train HMR: `python -m src.main --data_dir ... --pretrained_model_path ... [flags as released]`.

Resume a run with `--load_path <run folder>`; Ctrl-C or SIGTERM saves a checkpoint and exits.
Data parallel: `horovodrun -np N -H host1:n1,host2:n2 python -m src.main --distributed [flags]`.
"""
import sys



def main(config):
    from .compat import tf
    from .data_loader import DataLoader
    from .distributed import Workers
    from .run_dir import prepare_dirs, save_config
    from .trainer import HMRTrainer

    workers = Workers(config.distributed, config.lr_scaling)
    if workers.is_chief:
        changes = prepare_dirs(config)
        for name, (before, now) in changes.items():
            print('note: %s changed from %s to %s (--allow_changed_params)' % (name, before, now))
    else:
        # Only rank 0 reads and writes the run folder; the others take its variables by broadcast.
        config.model_dir = config.load_path
    with tf.device('/cpu:0'):
        data_loader = DataLoader(config, workers=workers)
        image_loader = data_loader.load()
        smpl_loader = data_loader.get_smpl_loader()
    trainer = HMRTrainer(config, image_loader, smpl_loader, workers=workers)
    if workers.is_chief:
        save_config(config, workers)
    step = trainer.train(max_steps=config.max_steps, save_every_secs=config.save_every_secs)
    if workers.is_chief:
        print('trained to step %d in %s' % (step, config.model_dir))


def run(argv):
    from .cli import run_with_flags
    return run_with_flags(main, argv)


if __name__ == '__main__':
    sys.exit(run(sys.argv))
