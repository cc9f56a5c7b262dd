"""Motion in the footage's world: a real camera (`focal`), the floor and a gravity-aligned frame
(`frame`), planted feet (`foot_lock`), the camera in the exports (`gltf_camera`) and the frames to
distrust (`quality`). The demo's flags for all of it live in `flags`."""
