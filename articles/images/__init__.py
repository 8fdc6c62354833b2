"""
The image library: pictures with their alt text, caption, credit and focal point, checked and cleaned on upload
(`validation`), cut into responsive renditions ahead of time (`renditions`) and shown on pages as `<picture>`
elements (`pictures`, and `shortcodes` for pictures in an article's body).
"""
