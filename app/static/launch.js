// Submit the signed launch form at once; the visible button does the same when scripts are off.
document.getElementById("launch-form").submit();
