// Focal point picker for the image library's admin form: click the picture where its subject is and the focal
// point fields (fractions of the width and height) follow. On the add form it previews the chosen file first.
// Plain script, no build step; without it the two number fields still work.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const picker = document.querySelector("[data-focal-point]");
  const fieldX = document.getElementById("id_focal_x");
  const fieldY = document.getElementById("id_focal_y");
  if (!picker || !fieldX || !fieldY) {
    return;
  }
  const image = picker.querySelector(".focal-point__image");
  const marker = picker.querySelector(".focal-point__marker");

  const clamp = (value) => Math.min(Math.max(value, 0), 1);
  const showMarker = () => {
    const x = clamp(parseFloat(fieldX.value) || 0.5);
    const y = clamp(parseFloat(fieldY.value) || 0.5);
    marker.style.left = `${x * 100}%`;
    marker.style.top = `${y * 100}%`;
    marker.hidden = image.hidden;
  };

  image.addEventListener("click", (event) => {
    const box = image.getBoundingClientRect();
    fieldX.value = clamp((event.clientX - box.left) / box.width).toFixed(3);
    fieldY.value = clamp((event.clientY - box.top) / box.height).toFixed(3);
    showMarker();
  });
  fieldX.addEventListener("input", showMarker);
  fieldY.addEventListener("input", showMarker);

  // Add form: preview the file chosen, locally (nothing is uploaded before the form is saved).
  const fileInput = document.getElementById("id_file");
  if (fileInput) {
    fileInput.addEventListener("change", () => {
      const [file] = fileInput.files;
      if (image.src.startsWith("blob:")) {
        URL.revokeObjectURL(image.src);
      }
      image.hidden = !file;
      if (file) {
        image.src = URL.createObjectURL(file);
      }
      showMarker();
    });
  }
  showMarker();
});
