# Re-export a motion without running the network (src/export, docs/animation.md): the demo's video or
# image NPZ, or an AMASS-style motion, on a rig preset or retargeted onto your character:
#   make export MOTION=out/clip.npz [CHARACTER=hero.fbx] [OUT=out] [EXPORT_ARGS='--rig mixamo --outputs bvh,glb,fbx']
# FBX output and .fbx/.glb characters need Blender's Python (make setup-blender); BVH/glTF presets do not.
MOTION ?=
CHARACTER ?=
EXPORT_ARGS ?=

.PHONY: export

export: $(DEMO_VENV)/.installed
	@if [ -z "$(MOTION)" ]; then \
	  echo "error: make export MOTION=motion.npz [CHARACTER=hero.fbx|.glb|.bvh] [OUT=folder] [EXPORT_ARGS=...]" >&2; exit 1; fi
	$(DEMO_PY) -m src.export --motion $(MOTION) --out_dir $(OUT) $(if $(CHARACTER),--character $(CHARACTER)) $(EXPORT_ARGS)
